import { randomBytes } from 'node:crypto';
import { TesseraError, type TesseraAdmin } from '@tessera/sdk';

export const DEMO_CLIENT_ID = 'tessera-demo';
export const DEMO_SCOPE = 'openid offline_access email profile';

export interface DemoClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Registers the demo relying party through the SDK, as any team registers its
 * own client. On a second start the client exists already (409): it is
 * replaced with a fresh secret, which keeps users' remembered consents.
 */
export async function registerDemoClient(admin: Pick<TesseraAdmin, 'createClient' | 'replaceClient'>, appUrl: string): Promise<DemoClient> {
  const client = {
    client_id: DEMO_CLIENT_ID,
    client_name: 'Tessera demo app',
    redirect_uris: [`${appUrl}/demo/callback`],
    post_logout_redirect_uris: [`${appUrl}/demo`],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: DEMO_SCOPE,
    token_endpoint_auth_method: 'client_secret_basic',
    client_uri: `${appUrl}/demo`,
    logo_uri: `${appUrl}/static/demo-logo.svg`,
    policy_uri: `${appUrl}/demo/privacy`,
    tos_uri: `${appUrl}/demo/terms`,
  };
  try {
    const created = await admin.createClient(client);
    return { clientId: created.client_id, clientSecret: created.client_secret ?? '' };
  } catch (err) {
    if (!(err instanceof TesseraError && err.status === 409)) throw err;
    const clientSecret = randomBytes(32).toString('base64url');
    await admin.replaceClient(DEMO_CLIENT_ID, { ...client, client_secret: clientSecret });
    return { clientId: DEMO_CLIENT_ID, clientSecret };
  }
}
