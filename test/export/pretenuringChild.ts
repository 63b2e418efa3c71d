/**
 * Child process of pretenuring.test.ts: turns on V8's pretenuring statistics (printed to stdout),
 * runs two exports of 5 persons, prints `--- export ---`, then exports every person of the sandbox in
 * TEST_CREDENTIALS as CSV, once as they are and once simplified, in pages of 1000. With
 * TEST_PAGE_SIZE, V8's statistics of every GC (`--trace-gc-nvp`) instead, and pages of that size.
 * The last line of stdout is `{"rows":[…]}`.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

import { loadPackage, runNode } from '../harness/engine';

async function main() {
	const credentials = JSON.parse(process.env.TEST_CREDENTIALS as string);
	// TEST_PAGE_SIZE set: V8's per-GC statistics instead (see pretenuring.test.ts), pages of that size
	const pageSize = Number(process.env.TEST_PAGE_SIZE ?? 1000);
	await loadPackage();
	v8.setFlagsFromString(process.env.TEST_PAGE_SIZE ? '--trace-gc-nvp' : '--trace-pretenuring-statistics');
	const exportAll = async (simplify: boolean, limit?: number) => {
		const returnAll = limit === undefined;
		const parameters = { resource: 'person', operation: 'getAll', returnAll, limit, simplify, output: 'csv', options: { pageSize } };
		const result = await runNode({ parameters, credentials });
		if (result.error) throw result.error;
		return result.items[0].json.rows;
	};
	// objects made once per run are counted here, before the marker: a minor and a full GC decide
	// their sites now (without them, sites of loading and the first runs could first be reported
	// after the marker, at the first GC of the export)
	await exportAll(false, 5);
	await exportAll(true, 5);
	v8.setFlagsFromString('--expose-gc');
	const gc = vm.runInNewContext('gc') as (options?: { type: string }) => void;
	gc({ type: 'minor' });
	gc();
	process.stdout.write('\n--- export ---\n');
	const rows = [await exportAll(false), await exportAll(true)];
	process.stdout.write(`\n${JSON.stringify({ rows })}\n`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
