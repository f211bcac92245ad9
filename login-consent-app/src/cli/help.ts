export const HELP = `tessera-login: the reference login, consent and logout app for Tessera

Usage:
  tessera-login serve [--dev]
  tessera-login users add EMAIL [--name NAME] [--username NAME] [--verified]
  tessera-login users list
  tessera-login users disable EMAIL
  tessera-login users enable EMAIL
  tessera-login users password EMAIL
  tessera-login help

Passwords are read from a prompt that does not echo, or from the first line of
standard input when it is piped: echo 'secret' | tessera-login users add a@b.c

Environment:
  PORT                3000
  HOST                127.0.0.1 (0.0.0.0 to listen on every interface)
  TESSERA_ADMIN_URL   http://127.0.0.1:4445
  TESSERA_ADMIN_TOKEN admin token, when Tessera sets serve.admin.auth.tokens
  DSN                 sqlite://./data/login-app.sqlite, or postgres://user:pass@host:5432/db
  COOKIE_SECRET       32+ random characters, the same on every instance (required without --dev)
  TRUST_PROXY         true behind a reverse proxy that sets X-Forwarded-For/-Proto
  TESSERA_PUBLIC_URL  http://127.0.0.1:4444 (--dev demo only)
  APP_URL             http://127.0.0.1:$PORT, where browsers reach this app (--dev demo only)

--dev seeds the user foo@bar.com / foobar, registers the demo client
"tessera-demo" and serves the demo relying party at /demo. Never in production.
`;
