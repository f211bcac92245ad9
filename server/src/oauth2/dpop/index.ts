export { createDpopDeps, type DpopSettings } from './deps.js';
export { createDpopNonces, type DpopNonces } from './nonce.js';
export { verifyProof, normalizeHtu, type DpopDeps, type ProofOutcome, type ProofTarget } from './proof.js';
export { tokenRequestBinding, pushedRequestBinding, proofKey, nonceHeader, assertCodeBinding, assertRefreshBinding, type TokenDpopDeps } from './binding.js';
export { presentedToken, assertResourceBinding, type PresentedToken, type ResourceDpopDeps } from './resource.js';
export { DPOP_ALGORITHMS, JKT_PATTERN } from './jwk.js';
export { invalidDpopProof, resourceError } from './errors.js';
