/**
 * Child process of the csvExport benchmark (one process per measurement, so peak RSS is its own).
 * BENCH_MODE (pages of BENCH_PAGE_SIZE persons, 1000 unless set):
 * - `filesystem`: Get Many of every person as CSV with n8n-core's binary data in filesystem mode
 *   (the file goes to BENCH_STORAGE); reports bytes, rows, and the person UUIDs of the file
 *   (written to BENCH_IDS_FILE, read back from disk after the measurement);
 * - `memory`: the same with binary data in memory (n8n's "default" mode);
 * - `n8nCopy`: no node: n8n-core's prepareBinaryData in memory mode storing BENCH_BYTES bytes
 *   that arrive in chunks of BENCH_CHUNK bytes, i.e. n8n's own copy of such a file;
 * - `n8nRequests`: no node: n8n's copy as in `n8nCopy`, while the requests the node made in the
 *   `memory` run (BENCH_REQUESTS_FILE, as the sandbox logged them) are sent again through n8n's
 *   httpRequestWithAuthentication with this package's credential, each answer read to its end into
 *   one buffer and the file's chunks for that page produced after it, i.e. what n8n itself spends
 *   storing the file and fetching the same pages;
 * - `onePage`: the node exporting one page (Limit = the page size) as CSV in memory mode, i.e. what
 *   handling one page costs the process.
 * BENCH_OPERATION `trendsPersons` exports Get Trends Persons (everyone with a pageview in the last
 * 60 days, a total-value trends query in the node's raw JSON field) instead of Get Many, and
 * `activity` Get Activity of all persons (BENCH_PAGE_SIZE: its page size, 1000); the file's ID
 * column is then `id` (person UUID, activity entry ID) instead of `uuid`.
 * Peak RSS is the kernel's VmHWM, reset after the baseline (everything loaded, before the run),
 * so "over baseline" is what the run itself added.
 */
import * as fs from 'fs';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { ChunkStream } from '../../nodes/PostHogPersons/helpers/fileStream';
import { PageBuffer } from '../../nodes/PostHogPersons/transport/body';
import { storedFile, useFilesystemBinaryData } from '../../test/export/binaryData';
import { CREDENTIAL_TYPE, executeContext, loadPackage, runNode } from '../../test/harness/engine';
import { PAGEVIEWS_TRENDS_QUERY } from './common';

function rssMb(field: 'VmHWM' | 'VmRSS'): number {
	const status = fs.readFileSync('/proc/self/status', 'utf8');
	const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
	return Math.round(kb / 1024);
}

/** Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs). */
function resetPeak() {
	fs.writeFileSync('/proc/self/clear_refs', '5');
}

/** The `uuid` column of a CSV file, read as a stream (quoted fields may hold newlines). */
async function uuidsOfFile(file: string, column: string): Promise<{ rows: number; uuids: string[] }> {
	const uuids: string[] = [];
	let header: string[] | undefined;
	let uuidColumn = -1;
	let record: string[] = [];
	let field = '';
	let quoted = false;
	let pendingQuote = false;
	const endRecord = () => {
		record.push(field);
		field = '';
		if (!header) {
			header = record;
			uuidColumn = header.indexOf(column);
		} else uuids.push(record[uuidColumn]);
		record = [];
	};
	for await (const chunk of fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
		const text = chunk as string;
		for (let index = 0; index < text.length; index++) {
			const char = text[index];
			if (pendingQuote) {
				pendingQuote = false;
				if (char === '"') {
					field += '"';
					continue;
				}
				quoted = false;
			}
			if (quoted) {
				if (char === '"') pendingQuote = true;
				else field += char;
			} else if (char === '"') quoted = true;
			else if (char === ',') {
				record.push(field);
				field = '';
			} else if (char === '\n') endRecord();
			else if (char !== '\r') field += char;
		}
	}
	return { rows: uuids.length, uuids };
}

/** The node's parameters for the exported operation (paging and output are added), and its file's person UUID column. */
const OPERATION =
	process.env.BENCH_OPERATION === 'trendsPersons'
		? {
				parameters: { resource: 'insight', operation: 'getTrendsPersons', insightSource: 'json', insightQuery: JSON.stringify(PAGEVIEWS_TRENDS_QUERY), series: '1' },
				uuidColumn: 'id',
			}
		: process.env.BENCH_OPERATION === 'activity'
			? { parameters: { resource: 'person', operation: 'getActivity', activityOf: 'all' }, uuidColumn: 'id' }
			: { parameters: { resource: 'person', operation: 'getAll' }, uuidColumn: 'uuid' };

async function exportPersons(mode: 'filesystem' | 'memory' | 'onePage') {
	const credentials = JSON.parse(process.env.BENCH_CREDENTIALS as string);
	const pageSize = Number(process.env.BENCH_PAGE_SIZE ?? 1000);
	if (mode === 'filesystem') await useFilesystemBinaryData(process.env.BENCH_STORAGE as string);
	await loadPackage();
	const baselineRssMb = rssMb('VmRSS');
	resetPeak();
	const started = Date.now();
	const result = await runNode({
		parameters: { ...OPERATION.parameters, returnAll: mode !== 'onePage', limit: pageSize, output: 'csv', options: { pageSize } },
		credentials,
	});
	if (result.error) throw result.error;
	const ms = Date.now() - started;
	const peakRssMb = rssMb('VmHWM');
	const [item] = result.items;
	const binary = item.binary?.data;
	if (!binary) throw new Error('no CSV file');
	let file: string;
	if (mode === 'filesystem') {
		const stored = await storedFile(binary);
		file = stored.path as string;
	} else {
		file = `${process.env.BENCH_STORAGE}/memory.csv`;
		fs.writeFileSync(file, new Uint8Array(Buffer.from(binary.data, 'base64')));
	}
	const { rows, uuids } = await uuidsOfFile(file, OPERATION.uuidColumn);
	fs.writeFileSync(process.env.BENCH_IDS_FILE as string, uuids.join('\n'));
	return { mode, rows, reportedRows: item.json.rows, bytes: fs.statSync(file).size, peakRssMb, baselineRssMb, ms };
}

async function n8nCopy() {
	const bytes = Number(process.env.BENCH_BYTES);
	const chunkSize = Number(process.env.BENCH_CHUNK);
	const ctx = await executeContext({ resource: 'person', operation: 'getAll' }, { region: 'us', projectId: '1', apiKey: 'phx_x' });
	const baselineRssMb = rssMb('VmRSS');
	resetPeak();
	const started = Date.now();
	async function* chunks() {
		for (let sent = 0; sent < bytes; sent += chunkSize) yield Buffer.alloc(Math.min(chunkSize, bytes - sent), 'a');
	}
	const binary = await ctx.helpers.prepareBinaryData(new ChunkStream(chunks()).asBinaryStream(), 'copy.csv', 'text/csv');
	const peakRssMb = rssMb('VmHWM');
	return { mode: 'n8nCopy', bytes: Buffer.from(binary.data, 'base64').length, peakRssMb, baselineRssMb, ms: Date.now() - started };
}

/** A readable answer body of n8n's request helper (`encoding: 'stream'`). */
type BodyStream = AsyncIterable<Buffer>;

/** A request the node made, as the sandbox logged it: method, path with query string, body. */
export interface LoggedRequest {
	method: 'GET' | 'POST';
	path: string;
	body?: string;
}

async function n8nRequests() {
	const credentials = JSON.parse(process.env.BENCH_CREDENTIALS as string) as ICredentialDataDecryptedObject;
	const requests = JSON.parse(fs.readFileSync(process.env.BENCH_REQUESTS_FILE as string, 'utf8')) as LoggedRequest[];
	const bytes = Number(process.env.BENCH_BYTES);
	const chunkSize = Number(process.env.BENCH_CHUNK);
	const ctx = await executeContext({ resource: 'person', operation: 'getAll' }, credentials);
	const origin = String(credentials.host).replace(/\/+$/, '');
	const baselineRssMb = rssMb('VmRSS');
	resetPeak();
	const started = Date.now();
	// the node's own buffer for one page at a time
	const answer = new PageBuffer();
	async function* chunks() {
		let sent = 0;
		for (const [page, request] of requests.entries()) {
			const headers: Record<string, string> = { Accept: 'application/json' };
			if (request.body !== undefined) headers['Content-Type'] = 'application/json';
			const response = (await ctx.helpers.httpRequestWithAuthentication.call(
				ctx,
				CREDENTIAL_TYPE,
				{ method: request.method, url: `${origin}${request.path}`, body: request.body, headers, json: false, encoding: 'stream', returnFullResponse: true, disableFollowRedirect: true },
				{ credentialsDecrypted: { id: '1', name: 'PostHog', type: CREDENTIAL_TYPE, data: credentials } },
			)) as { statusCode: number; body: BodyStream };
			if (response.statusCode !== 200) throw new Error(`${request.method} ${request.path} (request ${page}): HTTP ${response.statusCode}`);
			answer.reset();
			for await (const piece of response.body) answer.append(piece);
			const end = page === requests.length - 1 ? bytes : Math.min(bytes, sent + Math.ceil(bytes / requests.length));
			for (; sent < end; sent += chunkSize) yield Buffer.alloc(Math.min(chunkSize, end - sent), 'a');
		}
	}
	const binary = await ctx.helpers.prepareBinaryData(new ChunkStream(chunks()).asBinaryStream(), 'copy.csv', 'text/csv');
	const peakRssMb = rssMb('VmHWM');
	return { mode: 'n8nRequests', bytes: Buffer.from(binary.data, 'base64').length, peakRssMb, baselineRssMb, ms: Date.now() - started };
}

async function main() {
	const mode = process.env.BENCH_MODE;
	const measured =
		mode === 'n8nCopy' ? await n8nCopy() : mode === 'n8nRequests' ? await n8nRequests() : await exportPersons(mode === 'memory' || mode === 'onePage' ? mode : 'filesystem');
	process.stdout.write(`${JSON.stringify(measured)}\n`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
