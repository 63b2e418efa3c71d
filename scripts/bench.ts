/**
 * `npm run bench`: performance and robustness figures of the node, measured against the
 * embedded PostHog sandbox, each compared with a baseline in the same run (no wall-clock
 * assertion lives in the tests). Writes bench/results.json (quick runs: bench/out/results-quick.json,
 * so they never replace the full figures) and prints a table.
 *
 *   npm run bench                 full size (100,000 IDs, 50,000 listed persons, 100,000-row CSV)
 *   npm run bench -- --quick      small sizes, for a smoke run
 */
import axios from 'axios';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { IDataObject } from 'n8n-workflow';

import { startSandbox } from '../sandbox';
import { runNode } from '../test/harness/engine';
import { pickDistinctIds, sandboxCredentials } from '../test/helpers/sandbox';

const ROOT = path.resolve(__dirname, '..');
const quick = process.argv.includes('--quick');
const SIZES = quick
	? { deleteIds: 5_000, rateCalls: 1_200, listPersons: 5_000, csvRows: 10_000, listRuns: 3 }
	: { deleteIds: 100_000, rateCalls: 2_400, listPersons: 50_000, csvRows: 100_000, listRuns: 5 };

const log = (text: string) => console.log(text);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface DeleteRun {
	ids: number;
	items: number;
	requests: number;
	retries: number;
	expectedRequests: number;
	lost: number;
	doubled: number;
	unaccounted: number;
	ms: number;
}

/** N distinct IDs as N input items through Bulk Delete; counts what the sandbox saw and holds. */
async function bulkDelete(faults: IDataObject | undefined): Promise<DeleteRun> {
	const ids = SIZES.deleteIds;
	const sandbox = await startSandbox({ port: 0, persons: ids + 1000, eventsPerPerson: 0, quiet: true });
	try {
		const targets = pickDistinctIds(sandbox, ids);
		if (faults) sandbox.setFaults({ ...faults, paths: 'bulk_delete', seed: 11 });
		const started = Date.now();
		const result = await runNode({
			parameters: {
				resource: 'person',
				operation: 'bulkDelete',
				deleteBy: 'distinct_ids',
				idsFrom: 'field',
				idField: 'distinct_id',
				deleteEvents: true,
				requestOptions: { rateLimits: 'cloud', maxRetries: 10, retryDelayMs: 100, maxWaitSeconds: 600 },
			},
			credentials: sandboxCredentials(sandbox),
			input: targets.map((target) => ({ distinct_id: target.distinctId })),
		});
		const ms = Date.now() - started;
		if (result.error) throw result.error;
		const calls = sandbox.requests.filter((entry) => entry.path.includes('bulk_delete'));
		const retries = calls.filter((entry) => entry.fault).length;
		let lost = 0;
		let doubled = 0;
		for (const target of targets) {
			if (sandbox.store.findByDistinctId(target.distinctId)) lost++;
			if ((sandbox.store.deletionCounts.get(target.uuid) ?? 0) > 1) doubled++;
		}
		const unaccounted = targets.filter(
			(target, index) =>
				result.items[index]?.json.status !== 'accepted' ||
				(result.items[index].pairedItem as { item?: number } | undefined)?.item !== index ||
				(result.items[index].json.ids as string[])?.[0] !== target.distinctId,
		).length;
		return {
			ids,
			items: result.items.length,
			requests: calls.length,
			retries,
			expectedRequests: Math.ceil(ids / 1000) + retries,
			lost,
			doubled,
			unaccounted,
			ms,
		};
	} finally {
		await sandbox.stop();
	}
}

/**
 * Deletions paced under PostHog Cloud's delete limit (480/min, 4800/h), with the sandbox's
 * rate-limit windows running 10x faster (a "minute" lasts six seconds).
 */
async function rateLimited() {
	const timeScale = 10;
	const calls = SIZES.rateCalls;
	const bound = 480;
	const sandbox = await startSandbox({ port: 0, persons: calls + 100, eventsPerPerson: 0, timeScale, quiet: true });
	try {
		const targets = pickDistinctIds(sandbox, calls);
		const result = await runNode({
			parameters: {
				resource: 'person',
				operation: 'bulkDelete',
				idsFrom: 'field',
				idField: 'distinct_id',
				options: { batchSize: 1 },
				requestOptions: {
					rateLimits: 'custom',
					customLimits: {
						limit: [
							{ appliesTo: 'personsDelete', requests: 480, perSeconds: 60 / timeScale },
							{ appliesTo: 'personsDelete', requests: 4800, perSeconds: 3600 / timeScale },
						],
					},
					maxRetries: 10,
					retryDelayMs: 50,
					concurrency: 4,
				},
			},
			credentials: sandboxCredentials(sandbox),
			input: targets.map((target) => ({ distinct_id: target.distinctId })),
		});
		if (result.error) throw result.error;
		const accepted = sandbox.requests.filter((entry) => entry.path.includes('bulk_delete') && entry.status === 202);
		const throttled = sandbox.requests.filter((entry) => entry.status === 429).length;
		// PostHog's limit is a sliding window: over k complete windows from the first call at most
		// k × 480 calls fit. The achieved rate is the calls sent in the complete windows.
		const windowMs = (60_000 / timeScale);
		const first = accepted[0].startedAt;
		const windows = Math.floor((accepted[accepted.length - 1].startedAt - first) / windowMs);
		const inWindows = accepted.filter((entry) => entry.startedAt < first + windows * windowMs).length;
		const achievedPerMin = inWindows / windows;
		return {
			boundPerMin: bound,
			achievedPerMin: Math.round(achievedPerMin * 10) / 10,
			ratio: Math.round((achievedPerMin / bound) * 1000) / 1000,
			calls: accepted.length,
			windows,
			throttled,
			timeScale,
		};
	} finally {
		await sandbox.stop();
	}
}

/** Listing N persons through the node in n8n-core's engine vs a plain axios loop making the same requests. */
async function list() {
	const persons = SIZES.listPersons;
	const pageSize = 1000;
	const sandbox = await startSandbox({ port: 0, persons, eventsPerPerson: 0, rateLimits: false, quiet: true });
	try {
		const credentials = sandboxCredentials(sandbox);
		const viaNode = async () => {
			const started = Date.now();
			const result = await runNode({
				parameters: { resource: 'person', operation: 'getAll', returnAll: true, options: { pageSize } },
				credentials,
			});
			if (result.error) throw result.error;
			if (result.items.length !== persons) throw new Error(`node listed ${result.items.length} of ${persons}`);
			return Date.now() - started;
		};
		const viaAxios = async () => {
			const started = Date.now();
			const all: unknown[] = [];
			let url: string | null = `${sandbox.url}/api/projects/${sandbox.projectId}/persons/?limit=${pageSize}`;
			while (url) {
				const response: { data: { results: unknown[]; next: string | null } } = await axios.get(url, {
					headers: { Authorization: `Bearer ${sandbox.keys.all}`, Accept: 'application/json' },
				});
				all.push(...response.data.results);
				url = response.data.results.length > 0 ? response.data.next : null;
			}
			if (all.length !== persons) throw new Error(`axios listed ${all.length} of ${persons}`);
			return Date.now() - started;
		};
		await viaAxios(); // warm-up of both paths (JIT, sockets)
		await viaNode();
		const nodeRuns: number[] = [];
		const rawRuns: number[] = [];
		for (let run = 0; run < SIZES.listRuns; run++) {
			rawRuns.push(await viaAxios());
			nodeRuns.push(await viaNode());
		}
		const nodeMs = median(nodeRuns);
		const rawMs = median(rawRuns);
		return { persons, pageSize, nodeMs, rawMs, ratio: Math.round((nodeMs / rawMs) * 1000) / 1000, nodeRuns, rawRuns };
	} finally {
		await sandbox.stop();
	}
}

/** A CSV export of N persons through the node, in a child process whose peak RSS is measured. */
async function csvExport() {
	const rows = SIZES.csvRows;
	const sandbox = await startSandbox({ port: 0, persons: rows, eventsPerPerson: 0, rateLimits: false, quiet: true });
	try {
		const child = spawn(
			process.execPath,
			[require.resolve("tsx/cli"), path.join(__dirname, "bench-csv-export.ts")],
			{ env: { ...process.env, BENCH_CREDENTIALS: JSON.stringify(sandboxCredentials(sandbox)) }, stdio: ['ignore', 'pipe', 'inherit'] },
		);
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		const code = await new Promise<number>((resolve) => child.on('close', (exitCode) => resolve(exitCode ?? 1)));
		if (code !== 0) throw new Error(`CSV export child exited with ${code}`);
		const measured = JSON.parse(output.trim().split('\n').pop() as string) as { rows: number; bytes: number; peakRssMb: number; ms: number; baselineRssMb: number };
		if (measured.rows !== rows) throw new Error(`CSV had ${measured.rows} rows, expected ${rows}`);
		return measured;
	} finally {
		await sandbox.stop();
	}
}

async function main() {
	const started = Date.now();
	log(`Benchmark (${quick ? 'quick' : 'full'} size) on ${process.version}, ${require('os').cpus().length} cores`);
	log('bulk delete, fault-free …');
	const clean = await bulkDelete(undefined);
	log(`  ${clean.ids} IDs in ${clean.requests} requests, ${seconds(clean.ms)}`);
	log('bulk delete with 10% 429, 5% 5xx, 2% connection resets …');
	const chaos = await bulkDelete({ rate429: 0.1, retryAfterSeconds: 1, rate5xx: 0.05, resetRate: 0.01, resetAfterProcessingRate: 0.01 });
	log(`  ${chaos.ids} IDs in ${chaos.requests} requests (${chaos.retries} retries), ${seconds(chaos.ms)}`);
	log('rate-limited deletions (sandbox limits 10x faster) …');
	const paced = await rateLimited();
	log(`  ${paced.calls} calls, ${paced.achievedPerMin}/min of ${paced.boundPerMin}/min, ${paced.throttled} answered 429`);
	log('listing through the node vs plain axios …');
	const listed = await list();
	log(`  node ${listed.nodeMs} ms, axios ${listed.rawMs} ms (runs ${listed.nodeRuns.join('/')} vs ${listed.rawRuns.join('/')})`);
	log('CSV export …');
	const csv = await csvExport();

	const results = {
		generatedAt: new Date().toISOString(),
		mode: quick ? 'quick' : 'full',
		machine: { node: process.version, cpus: require('os').cpus().length },
		bulkDelete: {
			ids: clean.ids,
			items: clean.items,
			requests: clean.requests,
			expectedRequests: Math.ceil(clean.ids / 1000),
			lost: clean.lost,
			doubled: clean.doubled,
			unaccountedItems: clean.unaccounted,
			ms: clean.ms,
		},
		bulkDeleteChaos: {
			faults: '10% 429 (Retry-After 1 s), 5% 5xx, 1% reset before processing, 1% reset after processing',
			ids: chaos.ids,
			items: chaos.items,
			requests: chaos.requests,
			retries: chaos.retries,
			expectedRequests: chaos.expectedRequests,
			lost: chaos.lost,
			doubled: chaos.doubled,
			unaccountedItems: chaos.unaccounted,
			ms: chaos.ms,
		},
		rateLimited: paced,
		list: { persons: listed.persons, pageSize: listed.pageSize, nodeMs: listed.nodeMs, rawMs: listed.rawMs, ratio: listed.ratio },
		csvExport: { rows: csv.rows, bytes: csv.bytes, peakRssMb: csv.peakRssMb, baselineRssMb: csv.baselineRssMb, ms: csv.ms },
	};
	const resultsFile = path.join(ROOT, 'bench', quick ? 'out/results-quick.json' : 'results.json');
	fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
	fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');

	const table: Array<[string, string, string]> = [
		['bulk delete', `${clean.ids} IDs as ${clean.items} items`, `${clean.requests} requests (ceil(N/1000) = ${Math.ceil(clean.ids / 1000)}), lost ${clean.lost}, doubled ${clean.doubled}`],
		['bulk delete, chaos', `${chaos.ids} IDs`, `${chaos.requests} requests = ${Math.ceil(chaos.ids / 1000)} + ${chaos.retries} retries, lost ${chaos.lost}, doubled ${chaos.doubled}, unaccounted items ${chaos.unaccounted}`],
		['rate-limited deletes', `${paced.calls} calls`, `${paced.achievedPerMin}/min of ${paced.boundPerMin}/min (ratio ${paced.ratio}), ${paced.throttled} × 429`],
		['list', `${listed.persons} persons`, `node ${listed.nodeMs} ms vs axios ${listed.rawMs} ms (ratio ${listed.ratio})`],
		['CSV export', `${csv.rows} rows`, `${(csv.bytes / 1e6).toFixed(1)} MB, peak RSS ${csv.peakRssMb} MB (process at start ${csv.baselineRssMb} MB)`],
	];
	const widths = [0, 1].map((column) => Math.max(...table.map((row) => row[column].length)));
	log('');
	for (const row of table) log(`${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`);
	log(`\n${path.relative(ROOT, resultsFile)} written; total ${seconds(Date.now() - started)}`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
