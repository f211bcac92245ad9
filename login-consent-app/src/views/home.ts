import { html, type Html } from './html.js';
import { layout } from './layout.js';

/** What someone who opens the app directly sees: it is reached through Tessera, not by itself. */
export function homePage(demo: boolean): Html {
  return layout(
    { title: 'Tessera sign-in' },
    html`<h1>Tessera sign-in</h1>
<p>This is the sign-in, consent and sign-out service of a Tessera OAuth 2.0 server.
Applications send you here when you sign in with them; there is nothing to do on this page by itself.</p>
${demo ? html`<p><a class="button primary" href="/demo">Try the demo application</a></p>` : ''}`,
  );
}
