import type { CreateJsonWebKeySet, JsonWebKey, JsonWebKeySet } from '@tessera/sdk';
import { empty, json, type HandlerResult } from '../lib/result.js';
import type { KeyService } from './service.js';

/** /admin/keys/{set}[/{kid}], as Hydra v2's jwk/handler.go answers. */
export function keyHandlers(service: KeyService) {
  return {
    getSet: async (set: string): Promise<HandlerResult> => json(await service.getSet(set)),
    createKey: async (set: string, body: CreateJsonWebKeySet): Promise<HandlerResult> => json(await service.createKey(set, body), 201),
    replaceSet: async (set: string, body: JsonWebKeySet): Promise<HandlerResult> => json(await service.replaceSet(set, body)),
    async deleteSet(set: string): Promise<HandlerResult> {
      await service.deleteSet(set);
      return empty();
    },
    getKey: async (set: string, kid: string): Promise<HandlerResult> => json(await service.getKey(set, kid)),
    putKey: async (set: string, kid: string, body: JsonWebKey): Promise<HandlerResult> => json(await service.putKey(set, kid, body)),
    async deleteKey(set: string, kid: string): Promise<HandlerResult> {
      await service.deleteKey(set, kid);
      return empty();
    },
    jwks: async (): Promise<HandlerResult> => ({ kind: 'json', body: await service.publicJwksJson() }),
  };
}
