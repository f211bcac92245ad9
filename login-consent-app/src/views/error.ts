import { html, type Html } from './html.js';
import { layout } from './layout.js';

export interface ErrorView {
  readonly title: string;
  readonly message: string;
  /** Quoted so an operator can find the failing call in Tessera's logs. */
  readonly requestId?: string | undefined;
}

export function errorPage(view: ErrorView): Html {
  return layout(
    { title: view.title },
    html`<h1>${view.title}</h1>
<p>${view.message}</p>
${view.requestId ? html`<p class="muted">Request ID: <code>${view.requestId}</code></p>` : ''}`,
  );
}
