const fs = require('fs');
const path = require('path');
const { task, src, dest } = require('gulp');

// A build starts from an empty dist/, so files of removed sources never linger in the package.
function clean(done) {
	fs.rmSync(path.resolve('dist'), { recursive: true, force: true });
	done();
}

// tsc compiles the TypeScript; this copies what tsc does not: the icons (light and dark SVG),
// the codex files (<Node>.node.json) next to the compiled node and credential files, and the
// package entry point index.js.
function buildAssets() {
	const nodeSource = path.resolve('nodes', '**', '*.{svg,png,node.json}');
	const nodeDestination = path.resolve('dist', 'nodes');
	const credSource = path.resolve('credentials', '**', '*.{svg,png}');
	const credDestination = path.resolve('dist', 'credentials');
	return Promise.all([
		// package entry point (package.json "main"): an empty module, n8n reads the "n8n" block instead
		new Promise((resolve, reject) =>
			src(path.resolve('index.js')).pipe(dest(path.resolve('dist'))).on('end', resolve).on('error', reject),
		),
		new Promise((resolve, reject) =>
			src(nodeSource, { encoding: false }).pipe(dest(nodeDestination)).on('end', resolve).on('error', reject),
		),
		new Promise((resolve, reject) =>
			src(credSource, { encoding: false }).pipe(dest(credDestination)).on('end', resolve).on('error', reject),
		),
	]);
}

task('clean', clean);
task('build:assets', buildAssets);
