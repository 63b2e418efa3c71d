import axios from 'axios';

import { runNode } from '../../test/harness/engine';
import { sandboxCredentials } from '../../test/helpers/sandbox';
import { PAGEVIEWS_TRENDS_QUERY, SIZES, log, median, type Benchmark } from './common';
import { startSandboxProcess, type SandboxProcess } from './sandboxProcess';

/**
 * Item output through the node in n8n-core's engine vs a plain axios loop posting the same query
 * pages (same bodies, same page size), alternately after a warm-up, against a sandbox in its own
 * process (as PostHog is: its work is not on the client's thread):
 * - Get Many (Return All) of every person through the Query API;
 * - Get Trends Persons of a data point holding most persons.
 * The ratio shows the node's extra work: n8n's request path (a new connection per request),
 * pacing, turning rows into items, de-duplication. The raw loop (keep-alive axios) replays the
 * node's own first request body, so both read the same persons in pages of the same size (the
 * node's pages after the first start one row earlier, for its shift check). The ratio is the
 * median of the pairs' ratios (run order alternating): single pairs vary by about ±10 % on a
 * 2-core machine.
 */

type IDataObjectLike = Record<string, unknown>;

interface Measured {
	nodeMs: number;
	rawMs: number;
	ratio: number;
	ratioOfFastest: number;
	nodeRuns: number[];
	rawRuns: number[];
}

type QueryBody = { query: Record<string, unknown>; [field: string]: unknown };

/** The raw loop: POST the same body with offset += limit while hasMore, collecting the rows. */
async function rawQueryLoop(sandbox: SandboxProcess, body: QueryBody): Promise<unknown[][]> {
	const rows: unknown[][] = [];
	for (let offset = 0; ; ) {
		const response = await axios.post(
			`${sandbox.url}/api/projects/${sandbox.projectId}/query/`,
			{ ...body, query: { ...body.query, offset } },
			{ headers: { Authorization: `Bearer ${sandbox.keys.all}`, Accept: 'application/json' } },
		);
		const page = response.data as { results: unknown[][]; hasMore: boolean; limit: number; offset: number };
		rows.push(...page.results);
		if (!page.hasMore || page.results.length === 0) return rows;
		offset = page.offset + page.limit;
	}
}

/**
 * Runs both paths in pairs, back to back, alternating which goes first (the machine's load drifts;
 * a pair shares it), after a warm-up of both. The ratio is the median of the pairs' ratios.
 */
async function compare(viaNode: () => Promise<number>, viaRaw: () => Promise<number>): Promise<Measured> {
	await viaNode(); // warm-up of both paths (JIT, sockets, the sandbox's cached order)
	await viaRaw();
	const nodeRuns: number[] = [];
	const rawRuns: number[] = [];
	const ratios: number[] = [];
	for (let run = 0; run < SIZES.listRuns; run++) {
		let node: number;
		let raw: number;
		if (run % 2 === 0) {
			raw = await viaRaw();
			node = await viaNode();
		} else {
			node = await viaNode();
			raw = await viaRaw();
		}
		nodeRuns.push(node);
		rawRuns.push(raw);
		ratios.push(node / raw);
	}
	const round = (value: number) => Math.round(value * 1000) / 1000;
	return {
		nodeMs: median(nodeRuns),
		rawMs: median(rawRuns),
		ratio: round(median(ratios)),
		// the quietest run of each path: on a shared machine the least disturbed estimate
		ratioOfFastest: round(Math.min(...nodeRuns) / Math.min(...rawRuns)),
		nodeRuns,
		rawRuns,
	};
}

async function timed(fn: () => Promise<void>): Promise<number> {
	const started = performance.now();
	await fn();
	return Math.round(performance.now() - started);
}

/** Get Many of every person: lost and doubled persons counted on every node run. */
async function getManyRun() {
	const persons = SIZES.listPersons;
	const pageSize = 1000;
	const sandbox = await startSandboxProcess({ port: 0, persons, eventsPerPerson: 0, rateLimits: false, quiet: true });
	try {
		const credentials = sandboxCredentials(sandbox);
		const expected = new Set(await sandbox.personUuids());
		let lost = 0;
		let doubled = 0;
		const viaNode = async () => {
			let uuids: string[] = [];
			const ms = await timed(async () => {
				const result = await runNode({
					parameters: { resource: 'person', operation: 'getAll', returnAll: true, options: { pageSize } },
					credentials,
				});
				if (result.error) throw result.error;
				uuids = result.items.map((item) => String(item.json.uuid));
			});
			// counted outside the timing (the raw loop only counts its rows)
			const seen = new Set(uuids);
			doubled = Math.max(doubled, uuids.length - seen.size);
			lost = Math.max(lost, [...expected].filter((uuid) => !seen.has(uuid)).length);
			return ms;
		};
		const viaRaw = () =>
			timed(async () => {
				const rows = await rawQueryLoop(sandbox, await sandbox.firstQueryBody());
				if (rows.length !== persons) throw new Error(`raw loop listed ${rows.length} of ${persons}`);
			});
		return { persons, pageSize, lost, doubled, ...(await compare(viaNode, viaRaw)) };
	} finally {
		await sandbox.stop();
	}
}

/** Get Trends Persons of a total-value trends query (everyone with a pageview in 60 days). */
async function insightRun() {
	const persons = SIZES.insightPersons;
	const pageSize = 1000;
	const sandbox = await startSandboxProcess({ port: 0, persons, eventsPerPerson: 3, rateLimits: false, quiet: true });
	try {
		// the node asks with refresh "blocking": keep every page cached for the whole benchmark, so both
		// paths read the same cached pages (the comparison is about the client side, not the query)
		await sandbox.setSettings({ queryCacheTtlMs: 24 * 3_600_000 });
		const credentials = sandboxCredentials(sandbox);
		let listed = 0;
		const viaNode = () =>
			timed(async () => {
				const result = await runNode({
					parameters: {
						resource: 'insight',
						operation: 'getTrendsPersons',
						returnAll: true,
						insightSource: 'json',
						insightQuery: JSON.stringify(PAGEVIEWS_TRENDS_QUERY),
						series: '1',
						options: { pageSize },
					},
					credentials,
				});
				if (result.error) throw result.error;
				listed = result.items.length;
			});
		let rawRows = 0;
		const viaRaw = () =>
			timed(async () => {
				rawRows = (await rawQueryLoop(sandbox, await sandbox.firstQueryBody())).length;
			});
		const measured = await compare(viaNode, viaRaw);
		if (listed !== rawRows) throw new Error(`node listed ${listed} persons, the raw loop ${rawRows}`);
		return { persons, listed, pageSize, ...measured };
	} finally {
		await sandbox.stop();
	}
}

export const listBenchmark: Benchmark = {
	key: 'list',
	title: 'item output through the node vs a raw loop over the same query pages',
	async run() {
		const getMany = await getManyRun();
		log(`  Get Many: node ${getMany.nodeMs} ms, raw ${getMany.rawMs} ms (runs ${getMany.nodeRuns.join('/')} vs ${getMany.rawRuns.join('/')}), lost ${getMany.lost}, doubled ${getMany.doubled}`);
		const insight = await insightRun();
		log(`  Get Trends Persons: node ${insight.nodeMs} ms, raw ${insight.rawMs} ms (runs ${insight.nodeRuns.join('/')} vs ${insight.rawRuns.join('/')})`);
		const figures = ({ nodeRuns, rawRuns, ...rest }: Measured & IDataObjectLike) => ({ ...rest, runs: { node: nodeRuns, raw: rawRuns } });
		return {
			results: { list: { getMany: figures(getMany), insightPersons: figures(insight) } },
			table: [
				['list (Get Many)', `${getMany.persons} persons`, `node ${getMany.nodeMs} ms vs raw ${getMany.rawMs} ms (ratio ${getMany.ratio}; fastest runs ${getMany.ratioOfFastest}), lost ${getMany.lost}, doubled ${getMany.doubled}`],
				['list (Trends Persons)', `${insight.listed} persons`, `node ${insight.nodeMs} ms vs raw ${insight.rawMs} ms (ratio ${insight.ratio}; fastest runs ${insight.ratioOfFastest})`],
			],
		};
	},
};
