import type { HttpClient } from '../lib/http.js';
import type { FlowParams } from '../load/spec.js';
import type { FlowTokens } from './common.js';
import { oidcProviderFlow } from './oidc-provider.js';
import { tesseraFlow } from './tessera.js';

export type { FlowTokens } from './common.js';

export function runFlow(http: HttpClient, params: FlowParams): Promise<FlowTokens> {
  return params.flavor === 'tessera' ? tesseraFlow(http, params) : oidcProviderFlow(http, params);
}
