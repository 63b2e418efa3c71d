// `npm run scan`: lints this package the way n8n's verification scanner
// (@n8n/scan-community-package, the gate for verified community nodes) does: its own ESLint
// configuration with inline eslint-disable comments ignored, on the source files it reads
// (package.json, nodes/, credentials/) and on the packed tarball's compiled .js files and
// package.json. Provenance and the npm download are skipped: the package is not published.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-scan-'));
let failed = false;
try {
	const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
	const unpacked = path.join(work, 'package');
	fs.mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', unpacked, '--strip-components=1']);
	// the published package holds only the build, the README, the licence and package.json
	const packed = execFileSync('find', ['.', '-type', 'f'], { cwd: unpacked, encoding: 'utf8' })
		.split('\n')
		.filter(Boolean)
		.map((file) => file.slice(2));
	const stray = packed.filter((file) => !/^(dist\/.+|package\.json|README\.md|LICENSE)$/.test(file));
	const missing = ['package.json', 'README.md', 'LICENSE', 'dist/nodes/PostHogPersons/PostHogPersons.node.js', 'dist/nodes/PostHogPersons/PostHogPersons.node.json', 'dist/nodes/PostHogPersons/posthog.svg', 'dist/nodes/PostHogPersons/posthog.dark.svg', 'dist/credentials/PostHogPersonsApi.credentials.js'].filter((file) => !packed.includes(file));
	console.log(`${stray.length || missing.length ? 'FAILED' : 'passed'}: tarball contents (${packed.length} files: dist/, README.md, LICENSE, package.json only)`);
	if (stray.length) console.log(`  not allowed in the package: ${stray.join(', ')}`);
	if (missing.length) console.log(`  missing from the package: ${missing.join(', ')}`);
	failed ||= stray.length > 0 || missing.length > 0;
	const legs = [
		['source (package.json, nodes/, credentials/)', await analyzePackage(root, SOURCE_FILE_PATTERNS)],
		[`packed ${tarball} (**/*.js, package.json)`, await analyzePackage(unpacked, ['**/*.js', 'package.json'])],
	];
	for (const [label, result] of legs) {
		console.log(`${result.passed ? 'passed' : 'FAILED'}: ${label}${result.message ? ` — ${result.message}` : ''}`);
		if (result.details) console.log(result.details);
		failed ||= !result.passed;
	}
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
