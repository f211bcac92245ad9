// Writes sdk/openapi.json from the built contract: `npm run openapi` (which builds first).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '../dist/openapi/index.js';

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
writeFileSync(target, openApiJson());
console.log(`wrote ${target}`);
