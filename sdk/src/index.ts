export * from './contract/errors.js';
export * from './contract/health.js';
export * from './contract/clients.js';
export * from './contract/keys.js';
export * from './contract/discovery.js';
export * from './contract/oauth2.js';
export * from './contract/flows.js';
export {
  TesseraAdmin,
  type ListClientsOptions,
  type ListConsentSessionsOptions,
  type RevokeConsentSessionsTarget,
  type RevokeLoginSessionsTarget,
  type IntrospectOptions,
} from './admin-client.js';
export { TesseraError, type TesseraErrorCode, type TesseraErrorInit } from './errors.js';
export type { ClientPage, ConsentSessionPage } from './pagination.js';
export type { FetchLike, TesseraAdminOptions } from './transport.js';
export {
  handleLogin,
  handleConsent,
  handleLogout,
  type FlowStep,
  type ShowPage,
  type LoginAccept,
  type LoginReject,
  type LoginDecision,
  type LoginAdmin,
  type ConsentAccept,
  type ConsentReject,
  type ConsentDecision,
  type ConsentHandlers,
  type ConsentSession,
  type ConsentAdmin,
  type LogoutDecision,
  type LogoutStep,
  type LogoutAdmin,
} from './flow-helpers.js';
export { handleDevice, type DeviceAdmin, type DeviceCodePage, type DeviceCodeProblem } from './device-helper.js';
