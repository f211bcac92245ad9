import { html, type Html, type Interpolation } from './html.js';

export interface PageOptions {
  readonly title: string;
  /** Wider card for the demo relying party's token tables. */
  readonly wide?: boolean;
}

/** The document around every page: `lang`, viewport, one stylesheet, no scripts. */
export function layout(options: PageOptions, body: Interpolation): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title}</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main class="${options.wide ? 'card card-wide' : 'card'}">
${body}
</main>
</body>
</html>
`;
}

/** An error or notice shown to the user, announced by screen readers. */
export function alert(message: string | undefined, id = 'form-error'): Html {
  return message ? html`<p class="alert" role="alert" id="${id}">${message}</p>` : html``;
}
