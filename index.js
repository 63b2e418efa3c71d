// n8n loads this package through the "n8n" block of package.json (dist/ paths).
// This entry point only exists so that `require('n8n-nodes-posthog-persons')` resolves.
module.exports = {};
