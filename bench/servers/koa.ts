import Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { exitWithParent, portFromArgv } from './guard.js';

/*
 * The floor: koa + koa-bodyparser answering a small JSON on every path, so
 * each operation's request (same method, path and body) can be sent here too.
 */
exitWithParent();
const app = new Koa();
app.use(bodyParser({ enableTypes: ['form', 'json'] }));
app.use((ctx) => {
  const body: unknown = ctx.request.body;
  ctx.set('cache-control', 'no-store');
  ctx.body = { ok: true, fields: typeof body === 'object' && body !== null ? Object.keys(body).length : 0 };
});
const port = portFromArgv();
app.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
