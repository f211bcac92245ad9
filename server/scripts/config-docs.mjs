// Writes docs/configuration.md and tessera.example.yaml from the built config schema:
// `npm run docs:config` (which builds first). test/server/config/docs.test.ts fails when they are stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from '../dist/config/schema.js';
import { configurationMarkdown } from '../dist/config/docs.js';
import { exampleYaml } from '../dist/config/example.js';

for (const [path, text] of [
  ['../../docs/configuration.md', configurationMarkdown(ConfigSchema)],
  ['../../tessera.example.yaml', exampleYaml(ConfigSchema)],
]) {
  const target = fileURLToPath(new URL(path, import.meta.url));
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
