#!/usr/bin/env node
// The `tessera` command. A committed shim, so npm can link it before the
// TypeScript is built (npm ci builds it in the root `prepare` script).
import '../dist/cli/main.js';
