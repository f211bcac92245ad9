export * from './contract/errors.js';
export * from './contract/health.js';
export * from './contract/clients.js';
export * from './contract/keys.js';
export * from './contract/discovery.js';
export * from './contract/oauth2.js';
export * from './contract/flows.js';
