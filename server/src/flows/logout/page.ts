const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page after a logout: one hidden iframe per front-channel logout URI
 * (OpenID Connect Front-Channel Logout 1.0 §3), then on to `next`. No
 * script: a meta refresh leaves the iframes two seconds to load.
 */
export function signedOutPage(frames: readonly string[], next: string | undefined): string {
  const refresh = next ? `<meta http-equiv="refresh" content="${frames.length > 0 ? 2 : 0};url=${escape(next)}">` : '';
  const iframes = frames.map((src) => `<iframe src="${escape(src)}" title="logout" hidden></iframe>`).join('\n');
  const link = next ? `<p><a href="${escape(next)}">Continue</a></p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>Signed out</title><style>body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;padding:0 1rem}</style></head>
<body><h1>You are signed out</h1>${link}
${iframes}
</body></html>`;
}
