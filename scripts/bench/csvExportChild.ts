/**
 * Child process of `npm run bench`: exports every person of the sandbox as a CSV file through
 * the node (n8n-core engine) and reports rows, bytes and this process's peak RSS (VmHWM).
 */
import * as fs from 'fs';

import { runNode } from '../../test/harness/engine';

function rssMb(field: 'VmHWM' | 'VmRSS'): number {
	const status = fs.readFileSync('/proc/self/status', 'utf8');
	const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
	return Math.round(kb / 1024);
}

async function main() {
	const credentials = JSON.parse(process.env.BENCH_CREDENTIALS as string);
	const baselineRssMb = rssMb('VmRSS');
	const started = Date.now();
	const result = await runNode({
		parameters: { resource: 'person', operation: 'getAll', returnAll: true, output: 'csv', options: { pageSize: 1000 } },
		credentials,
	});
	if (result.error) throw result.error;
	const [item] = result.items;
	process.stdout.write(
		`${JSON.stringify({ rows: item.json.rows, bytes: item.json.bytes, peakRssMb: rssMb('VmHWM'), baselineRssMb, ms: Date.now() - started })}\n`,
	);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
