/** A server under load, started in a process of its own on 127.0.0.1. */
export type TargetKind = 'tessera' | 'oidc-provider' | 'koa';

export interface BenchClient {
  readonly id: string;
  readonly secret: string;
  readonly redirectUri: string;
}

export interface RunningTarget {
  readonly name: string;
  readonly kind: TargetKind;
  /** The server processes (their descendants are counted too) whose CPU is measured. */
  readonly pids: readonly number[];
  /** The database server's processes, when it runs on this machine (PostgreSQL): their CPU is reported beside the server's. */
  readonly dbPids?: readonly number[];
  readonly publicUrl: string;
  /** Tessera's admin API (introspection, login/consent acceptance). */
  readonly adminUrl: string | undefined;
  readonly urls: { readonly token: string; readonly introspect: string; readonly discovery: string; readonly jwks: string; readonly authorize: string };
  /** oidc-provider's introspection needs client authentication; Tessera's (admin API) does not. */
  readonly introspectionAuth: boolean;
  readonly client: BenchClient;
  /** A client whose secret an operator chose (Tessera: scrypt at rest); `client` where the server makes no difference. */
  readonly chosenClient?: BenchClient;
  /** Tessera: clients with `access_token_strategy: jwt` (RFC 9068), signing RS256 and ES256. */
  readonly jwtClients?: { readonly RS256: BenchClient; readonly ES256: BenchClient } | undefined;
  stop(): Promise<void>;
}

export interface Skipped {
  readonly skipped: string;
}

export interface TargetDef {
  readonly name: string;
  readonly kind: TargetKind;
  start(): Promise<RunningTarget | Skipped>;
}

/** Where clients are sent back to: nothing listens there, the flow driver reads the code from the redirect. */
export const REDIRECT_URI = 'http://127.0.0.1:9/cb';
