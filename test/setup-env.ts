// n8n-core writes its instance config under N8N_USER_FOLDER (default: the home directory):
// point it at the repository's git-ignored .cache/ first.
import './harness/userFolder';

// n8n-core's logger (winston, console transport) reports every node error at level "error";
// the tests assert those errors themselves, so keep the output readable.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL ?? 'silent';
