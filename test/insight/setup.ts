/** Shared bits of the Insight engine tests: the sandbox clock, parameters, request log views. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { apiCalls, runAgainst, type Sandbox } from '../helpers/sandbox';

/** Sandbox clock anchor: events lie in the 60 days before; relative ranges resolve against it. */
export const NOW = '2024-03-01T12:00:00.000Z';

export const OPERATIONS = {
	funnel: 'getFunnelPersons',
	funnelCorrelation: 'getFunnelCorrelationPersons',
	trends: 'getTrendsPersons',
	lifecycle: 'getLifecyclePersons',
	stickiness: 'getStickinessPersons',
	retention: 'getRetentionPersons',
	paths: 'getPathsPersons',
} as const;

/** A resource locator value as the editor stores it. */
export const locator = (mode: string, value: string | number) => ({ __rl: true, mode, value });

export function insightNamed(sandbox: Sandbox, name: string) {
	const insight = sandbox.store.insights.find((entry) => entry.name === name);
	if (!insight) throw new Error(`the sandbox seeds no insight "${name}"`);
	return insight;
}

/** The insight query (InsightVizNode source) of a seeded insight. */
export function sourceOf(sandbox: Sandbox, name: string): IDataObject {
	return (insightNamed(sandbox, name).query as IDataObject).source as IDataObject;
}

export async function runInsight(
	sandbox: Sandbox,
	operation: keyof typeof OPERATIONS,
	parameters: IDataObject,
	options: Parameters<typeof runAgainst>[2] = {},
) {
	return await runAgainst(
		sandbox,
		{ resource: 'insight', operation: OPERATIONS[operation], returnAll: true, ...parameters },
		options,
	);
}

/** Bodies of the POST query/ calls, in order. */
export function queryBodies(sandbox: Sandbox): IDataObject[] {
	return apiCalls(sandbox)
		.filter((call) => call.method === 'POST' && /\/query\/$/.test(call.path))
		.map((call) => call.body as IDataObject);
}

/**
 * Asserts the POST query/ bodies page through one query in pages of `pageSize`: the first at
 * offset 0, every later one from one row earlier (offset − 1, limit + 1: the shift check's
 * overlap row), and otherwise the same query.
 */
export function expectPagedQueries(bodies: IDataObject[], pageSize: number) {
	const ranges = bodies.map((body) => [(body.query as IDataObject).offset, (body.query as IDataObject).limit]);
	expect(ranges).toEqual(bodies.map((_body, index) => (index === 0 ? [0, pageSize] : [index * pageSize - 1, pageSize + 1])));
	const withoutRange = bodies.map((body) => ({ ...body, query: { ...(body.query as IDataObject), offset: 0, limit: 0 } }));
	for (const body of withoutRange) expect(body).toEqual(withoutRange[0]);
}

/** The ActorsQuery of the first POST query/ call. */
export function firstQuery(sandbox: Sandbox): IDataObject {
	const [body] = queryBodies(sandbox);
	if (!body) throw new Error('no POST query/ was sent');
	return body.query as IDataObject;
}

export function insightLookups(sandbox: Sandbox) {
	return apiCalls(sandbox).filter((call) => call.method === 'GET' && /\/insights\//.test(call.path));
}

/** The output pane notices of the node's run. */
export function hintsOf(run: { data: { resultData: { runData: Record<string, Array<{ hints?: Array<{ message: string }> }>> } } }): string[] {
	return (run.data.resultData.runData['PostHog Persons']?.[0]?.hints ?? []).map((hint) => hint.message);
}

export function ids(items: INodeExecutionData[]): string[] {
	return items.map((item) => String(item.json.id));
}

/** Asserts the items are exactly the expected persons, each once, and that there are some. */
export function expectPersons(items: INodeExecutionData[], expected: Iterable<string>) {
	const want = [...new Set(expected)].sort();
	expect(want.length).toBeGreaterThan(0);
	const got = ids(items);
	expect(new Set(got).size).toBe(got.length);
	expect([...got].sort()).toEqual(want);
}
