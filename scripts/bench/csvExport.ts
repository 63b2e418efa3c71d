import { spawn } from 'child_process';
import * as path from 'path';

import { startSandbox } from '../../sandbox';
import { sandboxCredentials } from '../../test/helpers/sandbox';
import { SIZES, type Benchmark } from './common';

/** A CSV export of N persons through the node, in a child process whose peak RSS is measured. */
async function csvExportRun() {
	const rows = SIZES.csvRows;
	const sandbox = await startSandbox({ port: 0, persons: rows, eventsPerPerson: 0, rateLimits: false, quiet: true });
	try {
		const child = spawn(
			process.execPath,
			[require.resolve('tsx/cli'), path.join(__dirname, 'csvExportChild.ts')],
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

export const csvExportBenchmark: Benchmark = {
	key: 'csvExport',
	title: 'CSV export',
	async run() {
		const csv = await csvExportRun();
		return {
			results: { csvExport: { rows: csv.rows, bytes: csv.bytes, peakRssMb: csv.peakRssMb, baselineRssMb: csv.baselineRssMb, ms: csv.ms } },
			table: [['CSV export', `${csv.rows} rows`, `${(csv.bytes / 1e6).toFixed(1)} MB, peak RSS ${csv.peakRssMb} MB (process at start ${csv.baselineRssMb} MB)`]],
		};
	},
};
