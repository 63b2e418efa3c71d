/**
 * n8n-core keeps an instance config (with a generated encryption key) in
 * `<N8N_USER_FOLDER>/.n8n/config`, and N8N_USER_FOLDER defaults to the user's home. Everything this
 * repository runs inside n8n-core (tests, demo, benchmarks) uses a git-ignored folder of the
 * repository instead, so nothing is ever written into the home directory.
 * Imported for its side effect, before n8n-core.
 */
import * as path from 'path';

export const LOCAL_USER_FOLDER = path.resolve(__dirname, '..', '..', '.cache', 'n8n-user');

process.env.N8N_USER_FOLDER = process.env.N8N_USER_FOLDER ?? LOCAL_USER_FOLDER;
