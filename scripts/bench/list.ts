import axios from 'axios';

import { startSandbox } from '../../sandbox';
import { runNode } from '../../test/harness/engine';
import { sandboxCredentials } from '../../test/helpers/sandbox';
import { SIZES, log, median, type Benchmark } from './common';

/** Listing N persons through the node in n8n-core's engine vs a plain axios loop making the same requests. */
async function listRun() {
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

export const listBenchmark: Benchmark = {
	key: 'list',
	title: 'listing through the node vs plain axios',
	async run() {
		const listed = await listRun();
		log(`  node ${listed.nodeMs} ms, axios ${listed.rawMs} ms (runs ${listed.nodeRuns.join('/')} vs ${listed.rawRuns.join('/')})`);
		return {
			results: { list: { persons: listed.persons, pageSize: listed.pageSize, nodeMs: listed.nodeMs, rawMs: listed.rawMs, ratio: listed.ratio } },
			table: [['list', `${listed.persons} persons`, `node ${listed.nodeMs} ms vs axios ${listed.rawMs} ms (ratio ${listed.ratio})`]],
		};
	},
};
