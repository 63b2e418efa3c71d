/**
 * Where the end-to-end tooling keeps things. Everything under .e2e/ is git-ignored and can be
 * deleted at any time (the next run reinstalls).
 */
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Cache folder: host installs, user folders, logs, packed tarballs. E2E_CACHE_DIR overrides it. */
export const E2E_DIR = process.env.E2E_CACHE_DIR ? path.resolve(process.env.E2E_CACHE_DIR) : path.join(ROOT, '.e2e');
export const LOGS_DIR = path.join(E2E_DIR, 'logs');
export const PACK_DIR = path.join(E2E_DIR, 'pack');

export const PACKAGE_NAME = 'n8n-nodes-posthog-persons';
export const NODE_TYPE = `${PACKAGE_NAME}.postHogPersons`;
export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
export const CREDENTIAL_TYPE = 'postHogPersonsApi';
