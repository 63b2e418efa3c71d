/**
 * `npm run bench`: performance and robustness figures of the node, measured against the
 * embedded PostHog sandbox, each compared with a baseline in the same run (no wall-clock
 * assertion lives in the tests). Writes bench/results.json (quick runs: bench/out/results-quick.json,
 * so they never replace the full figures) and prints a table.
 *
 *   npm run bench                   full size (100,000 IDs, 50,000 listed persons, 100,000-row CSV)
 *   npm run bench -- --quick        small sizes, for a smoke run
 *   npm run bench -- --only=a,b     only these benchmarks (their keys below); the other figures
 *                                   of the results file are kept
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { bulkDeleteBenchmark } from './bulkDelete';
import { log, quick, seconds, type Benchmark } from './common';
import { csvExportBenchmark } from './csvExport';
import { listBenchmark } from './list';
import { rateLimitedBenchmark } from './rateLimited';
import { sharedKeyBenchmark } from './sharedKey';

const ROOT = path.resolve(__dirname, '..', '..');
const BENCHMARKS: Benchmark[] = [bulkDeleteBenchmark, rateLimitedBenchmark, sharedKeyBenchmark, listBenchmark, csvExportBenchmark];

function selected(): Benchmark[] {
	const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
	if (!only) return BENCHMARKS;
	const keys = only.split(',').map((key) => key.trim());
	const unknown = keys.filter((key) => !BENCHMARKS.some((benchmark) => benchmark.key === key));
	if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.key).join(', ')}`);
	return BENCHMARKS.filter((benchmark) => keys.includes(benchmark.key));
}

async function main() {
	const started = Date.now();
	const benchmarks = selected();
	log(`Benchmark (${quick ? 'quick' : 'full'} size) on ${process.version}, ${os.cpus().length} cores`);
	const resultsFile = path.join(ROOT, 'bench', quick ? 'out/results-quick.json' : 'results.json');
	const previous = fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Record<string, unknown>) : {};
	const figures: Record<string, unknown> = {};
	const table: Array<[string, string, string]> = [];
	for (const benchmark of benchmarks) {
		log(`${benchmark.title} …`);
		const outcome = await benchmark.run();
		Object.assign(figures, outcome.results);
		table.push(...outcome.table);
	}
	const results = {
		...previous,
		generatedAt: new Date().toISOString(),
		mode: quick ? 'quick' : 'full',
		machine: { node: process.version, cpus: os.cpus().length },
		...figures,
	};
	fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
	fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');

	const widths = [0, 1].map((column) => Math.max(...table.map((row) => row[column].length)));
	log('');
	for (const row of table) log(`${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`);
	log(`\n${path.relative(ROOT, resultsFile)} written; total ${seconds(Date.now() - started)}`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
