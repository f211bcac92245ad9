import { evaluateConfig } from '../config/load.js';
import { EXIT, UsageError } from './errors.js';

export interface ConfigArgs {
  readonly positionals: readonly string[];
  readonly config: string | undefined;
  readonly dev: boolean;
}

/**
 * `tessera config validate [--config FILE]`: what `serve` would read (the file,
 * then the environment over it), checked as `serve` checks it, every problem
 * on its own line. The database is not contacted.
 */
export function configCommand(args: ConfigArgs, out: (line: string) => void, err: (line: string) => void): number {
  if (args.positionals[0] !== 'validate' || args.positionals.length > 1) throw new UsageError('config needs: validate [--config FILE]');
  // --dev fills in (and writes) a generated secret: there would be nothing left to validate.
  if (args.dev) throw new UsageError('config validate checks a configuration for serve without --dev');
  const { problems } = evaluateConfig({ file: args.config });
  if (problems.length === 0) {
    out('ok');
    return EXIT.ok;
  }
  for (const p of problems) err(`config error: ${p.key}: ${p.reason}`);
  return EXIT.usage;
}
