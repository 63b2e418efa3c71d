/**
 * Screenshots of the panel of every Insight operation (`npm run screenshot -- --insight-panels`):
 * a workflow with one node per operation is created through n8n's REST API, each node's panel is
 * opened and saved as docs/screenshots/insight-<operation>.png, and the node list of Get Paths
 * Persons is opened once (insight-paths-node-list.png). Saved insights come from the sandbox of
 * `npm run dev` (seed 42), so the Insight fields show real names.
 */
import * as path from 'node:path';

import { describeKeys } from '../../sandbox';
import type { DevState } from './dev';
import { N8nClient } from './lib/n8n';
import { CREDENTIAL_TYPE, NODE_TYPE, ROOT } from './lib/paths';
import { log } from './lib/procs';
import { CREDENTIAL_ID, CREDENTIAL_NAME } from './lib/setup';

/** The small part of playwright's Page used here. */
export interface PanelPage {
	goto(url: string, options?: Record<string, unknown>): Promise<unknown>;
	locator(selector: string): {
		first(): ReturnType<PanelPage['locator']>;
		count(): Promise<number>;
		click(options?: Record<string, unknown>): Promise<void>;
		dblclick(options?: Record<string, unknown>): Promise<void>;
		waitFor(options?: Record<string, unknown>): Promise<void>;
	};
	waitForTimeout(ms: number): Promise<void>;
	screenshot(options: Record<string, unknown>): Promise<unknown>;
	keyboard: { press(key: string): Promise<void> };
}

interface SavedInsight {
	short_id: string;
	name: string;
}

const rl = (mode: string, value: string, cachedResultName?: string) => ({ __rl: true, mode, value, ...(cachedResultName ? { cachedResultName } : {}) });

/** One node per Insight operation, each showing another source or data point. */
function panelNodes(insights: SavedInsight[]) {
	const saved = (name: string) => {
		const insight = insights.find((entry) => entry.name === name);
		return insight ? rl('list', insight.short_id, insight.name) : rl('id', '');
	};
	const nodes: Array<{ operation: string; name: string; parameters: Record<string, unknown> }> = [
		{
			operation: 'getFunnelPersons',
			name: 'Funnel drop-offs',
			parameters: { insightSource: 'saved', insightId: saved('Signup funnel by browser'), dataPoint: 'droppedOff', step: 2, dataPointOptions: { breakdownValue: 'Chrome' } },
		},
		{
			operation: 'getFunnelCorrelationPersons',
			name: 'Correlated event persons',
			parameters: { insightSource: 'saved', insightId: saved('Signup funnel'), correlationType: 'events', correlatedEvent: rl('list', 'viewed_pricing') },
		},
		{
			operation: 'getTrendsPersons',
			name: 'Trends persons (defined)',
			parameters: {
				insightSource: 'defined',
				insightSeries: { entry: [{ type: 'event', event: rl('list', '$pageview'), math: 'dau' }] },
				dateFrom: '-14d',
				breakdownType: 'event',
				breakdownProperty: rl('list', '$browser'),
				series: '1',
				day: '2024-02-20',
				dataPointBreakdown: 'Chrome',
			},
		},
		{
			operation: 'getLifecyclePersons',
			name: 'Dormant persons',
			parameters: { insightSource: 'saved', insightId: saved('User lifecycle'), status: 'dormant', day: '2024-02-20' },
		},
		{
			operation: 'getStickinessPersons',
			name: 'Sticky persons',
			parameters: { insightSource: 'saved', insightId: saved('Pageview stickiness'), intervals: 3 },
		},
		{
			operation: 'getRetentionPersons',
			name: 'Retention persons (defined)',
			parameters: {
				insightSource: 'defined',
				startEvent: rl('list', 'signed_up'),
				returningEvent: rl('list', '$pageview'),
				totalIntervals: 7,
				dateFrom: '-14d',
				cohortRow: 3,
			},
		},
		{
			operation: 'getPathsPersons',
			name: 'Paths persons',
			parameters: {
				insightSource: 'saved',
				insightId: saved('Site paths'),
				pathPersons: 'reached',
				pathNode: rl('list', '2_https://app.sandbox-shop.test/pricing'),
			},
		},
	];
	return nodes.map((node, index) => ({
		name: node.name,
		operation: node.operation,
		workflowNode: {
			id: `panel-${index}`,
			name: node.name,
			type: NODE_TYPE,
			typeVersion: 1,
			position: [240 + (index % 4) * 260, Math.floor(index / 4) * 220],
			parameters: { resource: 'insight', operation: node.operation, returnAll: false, limit: 50, ...node.parameters },
			credentials: { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
		},
	}));
}

async function savedInsights(state: DevState): Promise<SavedInsight[]> {
	const key = describeKeys(42, 1).find((entry) => entry.name === 'all')?.value;
	const res = await fetch(`${state.sandboxUrl}/api/projects/1/insights/?basic=true&limit=100`, { headers: { authorization: `Bearer ${key}` } });
	if (!res.ok) throw new Error(`the dev sandbox answered ${res.status} for its insights`);
	return ((await res.json()) as { results: SavedInsight[] }).results;
}

export async function shootInsightPanels(page: PanelPage, state: DevState, outDir: string): Promise<void> {
	const client = new N8nClient(state.url);
	await client.login(state.owner);
	const nodes = panelNodes(await savedInsights(state));
	const created = await client.ok('POST', '/rest/workflows', {
		name: `Insight panels (screenshots ${new Date().toISOString().slice(0, 10)})`,
		nodes: nodes.map((node) => node.workflowNode),
		connections: {},
		settings: { executionOrder: 'v1' },
		active: false,
	});
	const workflowId = String(created.data?.id ?? created.id);
	log(`created workflow ${workflowId} with ${nodes.length} insight nodes`);
	try {
		for (const node of nodes) {
			await page.goto(`${state.url}/workflow/${workflowId}`, { waitUntil: 'networkidle' });
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${node.name}"]`).first().waitFor({ state: 'visible', timeout: 30_000 });
			for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${node.name}"]`).first().dblclick();
			await page.locator('[data-test-id="ndv"], [data-test-id="node-parameters"]').first().waitFor({ state: 'visible', timeout: 15_000 });
			await page.waitForTimeout(1500);
			const file = path.join(outDir, `insight-${node.operation.replace(/^get/, '').replace(/Persons$/, '').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}.png`);
			await page.screenshot({ path: file });
			log(`saved ${path.relative(ROOT, file)} (${node.operation})`);
			if (node.operation === 'getPathsPersons') {
				// open the Node list: it runs the insight's paths and lists their nodes
				const nodeField = page.locator('[data-test-id="resource-locator-pathNode"] [data-test-id="rlc-input"]').first();
				if ((await nodeField.count()) > 0) {
					await nodeField.click();
					await page.locator('[data-test-id="rlc-item"]').first().waitFor({ state: 'visible', timeout: 30_000 }).catch(() => log('the node list did not show entries'));
					await page.waitForTimeout(800);
					const listFile = path.join(outDir, 'insight-paths-node-list.png');
					await page.screenshot({ path: listFile });
					log(`saved ${path.relative(ROOT, listFile)}`);
				}
			}
		}
	} finally {
		// n8n deletes archived workflows only
		await client.request('POST', `/rest/workflows/${workflowId}/archive`).catch(() => undefined);
		await client.request('DELETE', `/rest/workflows/${workflowId}`).catch(() => undefined);
	}
}
