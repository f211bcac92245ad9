/*
 * `tessera <command> [<subcommand>] --help` and `tessera help <command> …`:
 * the usage of one command. Keyed by the command words; the longest known
 * prefix of what was typed wins, so `clients create --id x --help` finds
 * `clients create`. Unknown words fall back to the general help.
 */

const ADMIN = `      --endpoint, -e URL   admin API (default: $TESSERA_ADMIN_URL or http://127.0.0.1:4445)
      --token-file FILE    admin token (serve.admin.auth.tokens; else $TESSERA_ADMIN_TOKEN)
      --format json|table  output (default json)`;

const PUBLIC = `      --endpoint, -e URL   public API (default: $TESSERA_PUBLIC_URL or http://127.0.0.1:4444)
      --client-id ID       the client
      --client-secret S    its secret (else $TESSERA_CLIENT_SECRET; none: a public client)
      --format json|table  output (default json)`;

const CLIENT_FLAGS = `      --id ID  --name NAME  --secret S  --owner O  --scope "a b"
      --redirect-uri URI…  --post-logout-redirect-uri URI…  --audience A…
      --grant-type authorization_code|refresh_token|client_credentials|implicit|urn:…:device_code|…
      --response-type "code" | "id_token" | "code id_token" | …
      --token-endpoint-auth-method client_secret_basic|client_secret_post|private_key_jwt|none|…
      --access-token-strategy opaque|jwt  --skip-consent  --metadata '{"k":"v"}'
      --logo-uri URI  --client-uri URI  --policy-uri URI  --tos-uri URI  --contact C…
      --allowed-cors-origin O…  --backchannel-logout-uri URI  --frontchannel-logout-uri URI`;

const TOPICS: ReadonlyMap<string, string> = new Map([
  [
    'clients',
    `tessera clients create|get|list|update|delete|import … (the admin API's /admin/clients)
  Run "tessera clients <action> --help" for each action's flags.
${ADMIN}`,
  ],
  ['clients create', `tessera clients create [flags]\n  Register a client; prints it with its generated secret (shown once).\n${CLIENT_FLAGS}\n${ADMIN}`],
  ['clients get', `tessera clients get ID…\n  Print one client (several: a list).\n${ADMIN}`],
  ['clients list', `tessera clients list [--page-size 1-500] [--page-token T] [--name NAME] [--owner O]\n  List clients, one page (keyset pagination, as Hydra).\n${ADMIN}`],
  [
    'clients update',
    `tessera clients update ID [flags]
  Change the fields the flags name, and only those (a JSON Patch; Hydra's
  update replaces the whole client). At least one field flag.
${CLIENT_FLAGS}
${ADMIN}`,
  ],
  ['clients delete', `tessera clients delete ID…\n  Delete clients (their tokens and consents go with them).\n${ADMIN}`],
  [
    'clients import',
    `tessera clients import FILE… (- for standard input)
  Create the clients in JSON files (one client object or an array, the admin
  API's shape, as "hydra import oauth2-client" reads). Every file is checked
  before the first client is created; a failed client is reported and the
  rest go on (exit 1 if any failed). Prints the created clients with secrets.
${ADMIN}`,
  ],
  ['introspect', `tessera introspect token TOKEN [--scope "a b"]\n  RFC 7662 introspection at the admin API; an inactive token prints {"active": false} (exit 0).\n${ADMIN}`],
  ['revoke', `tessera revoke token TOKEN --client-id ID [--client-secret S] [--token-type-hint access_token|refresh_token]\n  RFC 7009 revocation at the public API, as the client the token was issued to.\n${PUBLIC}`],
  ['perform', `tessera perform client-credentials|authorization-code|device-code [flags]\n  Run an OAuth 2.0 flow as a client and print the tokens.\n  Run "tessera perform <flow> --help" for each flow's flags ("tessera help" for device-code).`],
  ['perform client-credentials', `tessera perform client-credentials --client-id ID --client-secret S [--scope "a b"] [--audience A]…\n  RFC 6749 §4.4: a token for the client itself.\n${PUBLIC}`],
  [
    'perform authorization-code',
    `tessera perform authorization-code --client-id ID [--client-secret S] [flags]
  Starts a callback server on 127.0.0.1, prints the URL to open in a browser
  (stderr), waits for the redirect, exchanges the code (PKCE S256) and prints
  the tokens (stdout). Register the redirect URI with the client first.
      --port N             callback port (default 4446: http://127.0.0.1:4446/callback)
      --redirect-uri URI   another loopback http callback URL instead
      --scope "a b"        (default "openid offline_access")
      --audience A…  --prompt login|consent|none  --max-age SECONDS
${PUBLIC}`,
  ],
]);

/** The help of the longest known prefix of `words`, or undefined. */
export function commandHelp(words: readonly string[]): string | undefined {
  for (let n = Math.min(words.length, 2); n > 0; n--) {
    const text = TOPICS.get(words.slice(0, n).join(' '));
    if (text) return text;
  }
  return undefined;
}
