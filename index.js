// Package entry point (copied to dist/index.js by the build; package.json "main").
// n8n does not load it: it finds the node and the credential through the "n8n" block of
// package.json (dist/ paths). It only exists so that `require('n8n-nodes-posthog-persons')` resolves.
module.exports = {};
