export const HELP = `tessera — headless OAuth 2.0 and OpenID Connect server (Ory Hydra v2 wire-compatible)

Usage:
  tessera serve all|public|admin [--dev] [--config FILE] [--workers N|auto]
      Serve the public API (:4444) and/or the admin API (:4445).
      --workers  N processes sharing the ports (node:cluster; auto = CPU
                 count); a worker that dies is replaced; SIGTERM drains all.
      --dev      SQLite in ./data, migrations run automatically, a generated
                 system secret, issuer http://127.0.0.1:4444, login and consent
                 URLs of the bundled app on http://127.0.0.1:3000. Never in production.
      --config   YAML configuration file; environment variables (DSN,
                 URLS_SELF_ISSUER, SECRETS_SYSTEM, …) override it.
      DSN=memory creates its schema at every start (nothing persists); it
                 cannot be used with migrate, janitor, secrets or --workers >1.

  tessera config validate [--config FILE]
      Check the configuration serve would read (the file, the environment
      over it) without starting: prints "ok" (exit 0) or every problem, one
      "config error: <key>: <reason>" line each (exit 2). Unknown keys in the
      file, and unknown variables starting with a section's prefix (SERVE_,
      URLS_, SECRETS_, TTL_, …), are errors. Keys: docs/configuration.md.

  tessera migrate up|down|status [--dsn DSN] [--config FILE] [--dev]
      Apply all pending migrations, roll back the newest, or list them.

  tessera clients create|get|list|update|delete|import … [--endpoint URL]
                  [--token-file FILE] [--format json|table]
      Manage OAuth 2.0 clients through the admin API
      (default endpoint: $TESSERA_ADMIN_URL or http://127.0.0.1:4445).
      An admin token (serve.admin.auth.tokens) is read from --token-file FILE
      or $TESSERA_ADMIN_TOKEN and sent as "Authorization: Bearer".
      create  [--id ID] [--name NAME] [--secret S] [--redirect-uri URI]…
              [--grant-type T]… [--response-type T]… [--scope "a b"] …
      get     ID…
      list    [--page-size N] [--page-token T] [--name NAME] [--owner O]
      rotate-secret ID [--grace-period 24h]   new secret; the old one works
              until the grace period ends (extension)
      update  ID [field flags]   (changes only the fields named)
      delete  ID…
      import  FILE…              (Hydra's client JSON; - for stdin)

  tessera introspect token TOKEN [--scope "a b"]      (admin API)
  tessera revoke token TOKEN --client-id ID [--client-secret S]   (public API)
  tessera perform client-credentials --client-id ID --client-secret S
  tessera perform authorization-code --client-id ID [--client-secret S] [--port 4446]
      Public API: --endpoint URL (default $TESSERA_PUBLIC_URL or
      http://127.0.0.1:4444). perform authorization-code prints a URL to
      open, waits on a loopback callback, exchanges the code, prints tokens.

  Every command: "tessera <command> [<action>] --help" prints its flags.

  tessera keys create|list|get|delete|rotate SET [--endpoint URL] [--token-file FILE] …
      Manage signing keys through the admin API (public parts are printed).
      create  SET --alg RS256|PS256|ES256|EdDSA [--kid KID] [--use sig|enc]
      list    SET
      get     SET KID
      delete  SET [KID]
      rotate  SET [--alg ALG]   a new key per algorithm the set signs with:
              published at once, signing after keys.pre_publication; the
              old key stays published until what it signed has expired.

  tessera janitor [--tokens] [--requests] [--grants] [--keep-if-younger 24h]
                  [--batch-size 1000] [--pause 10ms] [--dsn DSN] [--config FILE]
                  [--metrics-file FILE]
      Delete expired and revoked tokens (--tokens), expired login/consent
      and device requests (--requests), expired login sessions and revoked consents
      (--grants); all three when none is named. Rows younger than
      --keep-if-younger past their end are kept. Safe while servers run.

  tessera secrets rotate [--dsn DSN] [--config FILE] [--dev]
      Re-seal every stored private key (and client_secret_jwt client secret)
      under the first secrets.system entry
      (after prepending a new secret; then the old one can be dropped).
      Safe while servers run; idempotent. Prints what it re-sealed; exit 1
      when a key opens with none of the listed secrets.

  tessera perform device-code --client-id ID [--client-secret S] [--scope "a b"]
                  [--audience A]… [--endpoint URL]
      The device side of the device flow (RFC 8628), as \`hydra perform
      device-code\`: prints where to enter the user code, polls the token
      endpoint, prints the tokens as JSON (endpoint: the public URL, default
      http://127.0.0.1:4444; id and secret also from OAUTH2_CLIENT_ID and
      OAUTH2_CLIENT_SECRET; scope default "offline openid").

  tessera scan [PATH…] [--format text|sarif] [--report] [--endpoint URL]
      Find Tessera tokens (ory_at_, ory_rt_, ory_ac_, ory_dc_) in files and
      directories (node_modules, .git and binaries skipped), or on standard
      input without a PATH; with the system secret (SECRETS_SYSTEM, --config,
      --dev) each is classified authentic or forged offline. Tokens are shown
      redacted. --format sarif for code-scanning UIs. --report sends what may
      be live to POST /admin/oauth2/tokens/leaked (endpoint and token as for
      clients), which revokes it with its whole grant. Exit 1 when an
      authentic token is found (without a secret: any token), else 0.

  tessera version
  tessera help

Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.
`;
