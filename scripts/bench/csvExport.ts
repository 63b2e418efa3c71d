import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { ACTIVITY_PAGE_SIZE } from '../../nodes/PostHogPersons/actions/person/getActivity.operation';
import { startSandbox, type Sandbox } from '../../sandbox';
import { sandboxCredentials } from '../../test/helpers/sandbox';
import { SIZES, log, seconds, type Benchmark } from './common';
import type { LoggedRequest } from './csvExportChild';

/**
 * CSV export of every person (Get Many, Return All, CSV, pages of 1000) in child processes whose
 * peak RSS over their baseline is measured (csvExportChild.ts):
 * - filesystem binary data (N8N_DEFAULT_BINARY_DATA_MODE=filesystem) at two sizes: the file goes
 *   to disk as it is written; target: at most 2x the file size at 100,000 rows, under 1 GB at
 *   1,000,000;
 * - in-memory binary data (n8n's "default" mode) at the smaller size, compared with n8n's own copy
 *   of a file of the same size arriving in the same chunks (a child without the node): the
 *   difference is what the node adds (target: one page, measured as the node exporting one page);
 *   and compared with that copy made while the node's own requests are sent again through
 *   n8n's request helper (a child without the node): what n8n itself spends on the file and the
 *   pages, so the difference is the node's own part. Also at a quarter of that size, to show
 *   whether what the node adds grows with the file; and in pages of a tenth of the persons (10,000
 *   at full size), to show what it adds when a page is large;
 * - Get Trends Persons (the Insight operations' CSV path) at the smaller size, and Get Activity of
 *   half as many activity entries (in its pages of 1000), in both modes.
 * Every file is read back: lost and doubled persons are counted against the sandbox.
 */

interface ChildResult {
	mode: string;
	rows?: number;
	reportedRows?: number;
	bytes: number;
	peakRssMb: number;
	baselineRssMb: number;
	ms: number;
}

async function child(env: Record<string, string>): Promise<ChildResult> {
	const proc = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'csvExportChild.ts')], {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let output = '';
	proc.stdout.on('data', (chunk) => (output += chunk));
	const code = await new Promise<number>((resolve) => proc.on('close', (exitCode) => resolve(exitCode ?? 1)));
	if (code !== 0) throw new Error(`CSV export child (${env.BENCH_MODE}) exited with ${code}`);
	return JSON.parse(output.trim().split('\n').pop() as string) as ChildResult;
}

const mb = (bytes: number) => Math.round((bytes / 1e6) * 10) / 10;

/**
 * Get Many of every person; Get Trends Persons of everyone with a pageview (each person has one
 * event); or Get Activity of all persons (`rows` activity entries, over 1000 persons).
 */
type Operation = 'getAll' | 'trendsPersons' | 'activity';

/** The IDs an export must hold exactly once: person UUIDs, or activity entry IDs. */
function expectedIds(sandbox: Sandbox, operation: Operation): Iterable<string> {
	return operation === 'activity' ? sandbox.store.activity.map((entry) => entry.id) : sandbox.store.personsByUuid.keys();
}

/** Lost and doubled records of an exported file, against the sandbox's. */
function check(sandbox: Sandbox, operation: Operation, idsFile: string) {
	const ids = fs.readFileSync(idsFile, 'utf8').split('\n').filter(Boolean);
	const seen = new Set(ids);
	let lost = 0;
	for (const id of expectedIds(sandbox, operation)) if (!seen.has(id)) lost++;
	return { lost, doubled: ids.length - seen.size };
}

/** A sandbox for the operation, with `rows` records to export. */
async function sandboxFor(rows: number, operation: Operation): Promise<Sandbox> {
	if (operation !== 'activity') {
		return await startSandbox({ port: 0, persons: rows, eventsPerPerson: operation === 'trendsPersons' ? 1 : 0, rateLimits: false, quiet: true });
	}
	const sandbox = await startSandbox({ port: 0, persons: 1000, eventsPerPerson: 0, rateLimits: false, quiet: true });
	const persons = [...sandbox.store.personsByUuid.values()];
	const fields = ['plan', 'email', 'name', 'country'];
	for (let index = 0; index < rows; index++) {
		// what the sandbox logs for Update Properties, with the changed property named
		const field = fields[index % fields.length];
		sandbox.store.logActivity(null, 'updated', persons[index % persons.length], {
			changes: [{ type: 'Person', action: 'changed', field: 'properties', before: { [field]: `before-${index}` }, after: { [field]: `after-${index}` } }],
		});
	}
	return sandbox;
}

/** The requests the node made (the sandbox's log), to send again without the node. */
function loggedRequests(sandbox: Sandbox): LoggedRequest[] {
	return sandbox.requests.map((entry) => {
		const query = new URLSearchParams();
		for (const [key, value] of Object.entries(entry.query)) for (const one of Array.isArray(value) ? value : [value]) query.append(key, one);
		const search = query.toString();
		return {
			method: entry.method === 'POST' ? 'POST' : 'GET',
			path: search === '' ? entry.path : `${entry.path}?${search}`,
			body: entry.rawBody === '' ? undefined : entry.rawBody,
		};
	});
}

export async function exportRun(rows: number, modes: Array<'filesystem' | 'memory'>, pageSize = 1000, operation: Operation = 'getAll') {
	const sandbox = await sandboxFor(rows, operation);
	const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'posthog-bench-csv-'));
	try {
		const results: Record<string, unknown> = {};
		if (operation === 'trendsPersons') {
			// the sandbox computes each trends page over every person (about 0.7 s at 100,000): a slow
			// page lets V8 shrink the heap between pages, which would flatter the peak. Every run asks
			// the same pages, so one warm-up export fills the sandbox's query cache for all of them
			sandbox.store.settings.queryCacheTtlMs = 24 * 3_600_000;
			await child({
				BENCH_MODE: 'filesystem',
				BENCH_OPERATION: operation,
				BENCH_PAGE_SIZE: String(pageSize),
				BENCH_CREDENTIALS: JSON.stringify(sandboxCredentials(sandbox)),
				BENCH_STORAGE: storage,
				BENCH_IDS_FILE: path.join(storage, 'warm-up.ids'),
			});
			fs.rmSync(path.join(storage, 'workflows'), { recursive: true, force: true });
		}
		for (const mode of modes) {
			const idsFile = path.join(storage, `${mode}.ids`);
			sandbox.clearRequests();
			const measured = await child({
				BENCH_MODE: mode,
				BENCH_OPERATION: operation,
				BENCH_PAGE_SIZE: String(pageSize),
				BENCH_CREDENTIALS: JSON.stringify(sandboxCredentials(sandbox)),
				BENCH_STORAGE: storage,
				BENCH_IDS_FILE: idsFile,
			});
			const overBaselineMb = measured.peakRssMb - measured.baselineRssMb;
			const figures = {
				rows: measured.rows,
				bytes: measured.bytes,
				fileMb: mb(measured.bytes),
				peakRssMb: measured.peakRssMb,
				baselineRssMb: measured.baselineRssMb,
				peakOverBaselineMb: overBaselineMb,
				ratioToFileSize: Math.round((overBaselineMb / (measured.bytes / 1e6)) * 100) / 100,
				seconds: Math.round(measured.ms / 100) / 10,
				...check(sandbox, operation, idsFile),
			};
			if (measured.rows !== rows || measured.reportedRows !== rows) throw new Error(`${mode}: file has ${measured.rows} rows (item says ${measured.reportedRows}), expected ${rows}`);
			if (mode === 'memory') {
				// the requests the node made, for n8n's copy plus the same requests without the node
				const requestsFile = path.join(storage, 'requests.json');
				const requests = loggedRequests(sandbox);
				fs.writeFileSync(requestsFile, JSON.stringify(requests));
				// n8n's own copy of the same bytes, in chunks of the same size (the node writes 64 rows per chunk)
				const chunk = String(Math.ceil(measured.bytes / Math.ceil(rows / 64)));
				const copy = await child({ BENCH_MODE: 'n8nCopy', BENCH_BYTES: String(measured.bytes), BENCH_CHUNK: chunk });
				const withRequests = await child({
					BENCH_MODE: 'n8nRequests',
					BENCH_BYTES: String(measured.bytes),
					BENCH_CHUNK: chunk,
					BENCH_REQUESTS_FILE: requestsFile,
					BENCH_CREDENTIALS: JSON.stringify(sandboxCredentials(sandbox)),
				});
				// one page through the node
				const page = await child({ BENCH_MODE: 'onePage', BENCH_OPERATION: operation, BENCH_PAGE_SIZE: String(pageSize), BENCH_CREDENTIALS: JSON.stringify(sandboxCredentials(sandbox)), BENCH_STORAGE: storage, BENCH_IDS_FILE: `${idsFile}.page` });
				const copyOverBaselineMb = copy.peakRssMb - copy.baselineRssMb;
				const withRequestsOverBaselineMb = withRequests.peakRssMb - withRequests.baselineRssMb;
				const onePageMb = page.peakRssMb - page.baselineRssMb;
				Object.assign(figures, {
					pageSize,
					requests: requests.length,
					n8nCopyOverBaselineMb: copyOverBaselineMb,
					n8nCopyAndRequestsOverBaselineMb: withRequestsOverBaselineMb,
					onePageMb,
					nodeAddsMb: overBaselineMb - copyOverBaselineMb,
					nodeAddsToN8nRequestsMb: overBaselineMb - withRequestsOverBaselineMb,
				});
			}
			results[mode] = figures;
			fs.rmSync(path.join(storage, 'workflows'), { recursive: true, force: true });
		}
		return results;
	} finally {
		fs.rmSync(storage, { recursive: true, force: true });
		await sandbox.stop();
	}
}

export const csvExportBenchmark: Benchmark = {
	key: 'csvExport',
	title: 'CSV export (streamed; filesystem and in-memory binary data)',
	async run() {
		const quarterRows = SIZES.csvRows / 4;
		const quarter = await exportRun(quarterRows, ['memory']);
		const small = await exportRun(SIZES.csvRows, ['filesystem', 'memory']);
		const bigPages = await exportRun(SIZES.csvRows, ['memory'], SIZES.csvRows / 10);
		const large = await exportRun(SIZES.csvLargeRows, ['filesystem']);
		const trends = await exportRun(SIZES.csvRows, ['filesystem', 'memory'], 1000, 'trendsPersons');
		const activityRows = SIZES.csvRows / 2;
		const activity = await exportRun(activityRows, ['filesystem', 'memory'], ACTIVITY_PAGE_SIZE, 'activity');
		const memQuarter = quarter.memory as Record<string, number>;
		const memBigPages = bigPages.memory as Record<string, number>;
		const fsSmall = small.filesystem as Record<string, number>;
		const memSmall = small.memory as Record<string, number>;
		const fsLarge = large.filesystem as Record<string, number>;
		const fsTrends = trends.filesystem as Record<string, number>;
		const memTrends = trends.memory as Record<string, number>;
		const fsActivity = activity.filesystem as Record<string, number>;
		const memActivity = activity.memory as Record<string, number>;
		const line = (f: Record<string, number>) =>
			`${f.fileMb} MB file, peak RSS +${f.peakOverBaselineMb} MB over baseline (${f.ratioToFileSize}x file), ${seconds(f.seconds * 1000)}, lost ${f.lost}, doubled ${f.doubled}`;
		const versus = (f: Record<string, number>) =>
			`n8n's own copy of the file +${f.n8nCopyOverBaselineMb} MB, so the node adds ${f.nodeAddsMb} MB (one page alone: +${f.onePageMb} MB); n8n's copy while the node's ${f.requests} requests are sent through n8n without the node +${f.n8nCopyAndRequestsOverBaselineMb} MB, so the node's own part is ${f.nodeAddsToN8nRequestsMb} MB`;
		log(`  filesystem ${SIZES.csvRows}: ${line(fsSmall)}`);
		log(`  memory ${SIZES.csvRows}: ${line(memSmall)}; ${versus(memSmall)}`);
		log(`  memory ${quarterRows}: ${line(memQuarter)}; ${versus(memQuarter)}`);
		log(`  memory ${SIZES.csvRows}, pages of ${memBigPages.pageSize}: ${line(memBigPages)}; ${versus(memBigPages)}`);
		log(`  filesystem ${SIZES.csvLargeRows}: ${line(fsLarge)}`);
		log(`  Get Trends Persons, filesystem ${SIZES.csvRows}: ${line(fsTrends)}`);
		log(`  Get Trends Persons, memory ${SIZES.csvRows}: ${line(memTrends)}; ${versus(memTrends)}`);
		log(`  Get Activity, filesystem ${activityRows}: ${line(fsActivity)}`);
		log(`  Get Activity, memory ${activityRows}: ${line(memActivity)}; ${versus(memActivity)}`);
		return {
			results: { csvExport: { [String(quarterRows)]: quarter, [String(SIZES.csvRows)]: small, [`${SIZES.csvRows}, pages of ${memBigPages.pageSize}`]: bigPages, [String(SIZES.csvLargeRows)]: large, [`${SIZES.csvRows}, Get Trends Persons`]: trends, [`${activityRows}, Get Activity`]: activity } },
			table: [
				['CSV export, filesystem', `${SIZES.csvRows} rows`, line(fsSmall)],
				['CSV export, filesystem', `${SIZES.csvLargeRows} rows`, line(fsLarge)],
				['CSV export, in memory', `${SIZES.csvRows} rows`, `${line(memSmall)}; ${versus(memSmall)}`],
				['CSV export, in memory', `${quarterRows} rows`, `${line(memQuarter)}; ${versus(memQuarter)}`],
				['CSV export, in memory', `${SIZES.csvRows} rows, pages of ${memBigPages.pageSize}`, `${line(memBigPages)}; ${versus(memBigPages)}`],
				['CSV export, Get Trends Persons, filesystem', `${SIZES.csvRows} rows`, line(fsTrends)],
				['CSV export, Get Trends Persons, in memory', `${SIZES.csvRows} rows`, `${line(memTrends)}; ${versus(memTrends)}`],
				['CSV export, Get Activity, filesystem', `${activityRows} rows`, line(fsActivity)],
				['CSV export, Get Activity, in memory', `${activityRows} rows`, `${line(memActivity)}; ${versus(memActivity)}`],
			],
		};
	},
};
