/**
 * Workflows saved with 0.1.0 store plain values (text, numbers) in the Insight fields that are
 * pickers (resource locators) now. Each is run here as 0.1.0 stored it, and must send exactly
 * what the picker with the same value sends, and output the same persons. A picker value without
 * a mode (`{__rl: true, value}`) reads as its value too.
 */
import type { IDataObject } from 'n8n-workflow';

import { apiCalls, useSandbox, type Sandbox } from '../helpers/sandbox';
import { NOW, firstQuery, insightLookups, insightNamed, locator, runInsight, sourceOf } from './setup';

const getSandbox = useSandbox({ now: NOW, persons: 400 });

/** A value of a node parameter. */
type Value = IDataObject[string];
/** A picker value as a hand-written or generated workflow may hold it: no mode. */
const noMode = (value: string | number) => ({ __rl: true, value });

/** Runs an Insight operation and returns what was sent and what came out; some persons must come out. */
async function sentAndOut(sandbox: Sandbox, operation: Parameters<typeof runInsight>[1], parameters: IDataObject) {
	sandbox.clearRequests();
	const { items, error } = await runInsight(sandbox, operation, parameters);
	expect(error).toBeUndefined();
	expect(items.length).toBeGreaterThan(0);
	return { calls: apiCalls(sandbox), items: items.map((item) => item.json) };
}

describe('Insight fields as 0.1.0 stored them', () => {
	test('Insight: a short ID, a URL or a numeric ID as plain text', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Signup funnel');
		const funnel = (insightId: Value) => ({ insightSource: 'saved', insightId, dataPoint: 'converted', step: 2 });
		const expectedQuery = { kind: 'FunnelsActorsQuery', source: sourceOf(sandbox, 'Signup funnel'), funnelStep: 2 };

		const byShortId = await sentAndOut(sandbox, 'funnel', funnel(insight.short_id));
		expect(insightLookups(sandbox).map(({ path, query }) => ({ path, query }))).toEqual([
			{ path: '/api/projects/1/insights/', query: { short_id: insight.short_id, basic: 'true' } },
		]);
		expect(firstQuery(sandbox).source).toEqual(expectedQuery);
		expect(await sentAndOut(sandbox, 'funnel', funnel(locator('id', insight.short_id)))).toEqual(byShortId);
		expect(await sentAndOut(sandbox, 'funnel', funnel(noMode(insight.short_id)))).toEqual(byShortId);

		const url = `${sandbox.url}/project/1/insights/${insight.short_id}`;
		expect(await sentAndOut(sandbox, 'funnel', funnel(url))).toEqual(byShortId);
		expect(await sentAndOut(sandbox, 'funnel', funnel(locator('url', url)))).toEqual(byShortId);

		const byNumericId = await sentAndOut(sandbox, 'funnel', funnel(String(insight.id)));
		expect(insightLookups(sandbox).map((call) => call.path)).toEqual([`/api/projects/1/insights/${insight.id}/`]);
		expect(firstQuery(sandbox).source).toEqual(expectedQuery);
		expect(byNumericId.items).toEqual(byShortId.items);
		expect(await sentAndOut(sandbox, 'funnel', funnel(locator('id', String(insight.id))))).toEqual(byNumericId);
	});

	test('Steps / Series: an event name as text and an action ID as a number', async () => {
		const sandbox = getSandbox();
		const trends = (event: Value, actionId: Value) => ({
			insightSource: 'defined',
			insightSeries: { entry: [{ type: 'event', event }, { type: 'action', actionId }] },
			dateFrom: '-7d',
			interval: 'day',
			series: '2',
			day: '2024-02-28',
		});
		const old = await sentAndOut(sandbox, 'trends', trends('$pageview', 3));
		expect(firstQuery(sandbox).source).toMatchObject({
			kind: 'InsightActorsQuery',
			series: 1,
			source: {
				kind: 'TrendsQuery',
				series: [
					{ kind: 'EventsNode', event: '$pageview', name: '$pageview' },
					{ kind: 'ActionsNode', id: 3 },
				],
			},
		});
		expect(await sentAndOut(sandbox, 'trends', trends(locator('name', '$pageview'), locator('id', '3')))).toEqual(old);
		expect(await sentAndOut(sandbox, 'trends', trends(locator('list', '$pageview'), locator('list', '3')))).toEqual(old);
		expect(await sentAndOut(sandbox, 'trends', trends(noMode('$pageview'), noMode(3)))).toEqual(old);
	});

	test('Insight Settings: Breakdown Property and the key of a property filter as text', async () => {
		const sandbox = getSandbox();
		const trends = (breakdownProperty: Value, key: Value) => ({
			insightSource: 'defined',
			insightSeries: { entry: [{ type: 'event', event: '$pageview' }] },
			dateFrom: '-7d',
			interval: 'day',
			insightSettings: {
				breakdownProperty,
				breakdownType: 'event',
				propertyFilters: { filter: [{ type: 'person', key, operator: 'exact', value: 'pro' }] },
			},
			series: '1',
			day: '2024-02-28',
			breakdownValue: 'Chrome',
		});
		const old = await sentAndOut(sandbox, 'trends', trends('$browser', 'plan'));
		expect(firstQuery(sandbox).source).toMatchObject({
			breakdown: 'Chrome',
			source: {
				kind: 'TrendsQuery',
				breakdownFilter: { breakdown_type: 'event', breakdown: '$browser' },
				properties: [{ key: 'plan', operator: 'exact', value: 'pro', type: 'person' }],
			},
		});
		expect(await sentAndOut(sandbox, 'trends', trends(locator('name', '$browser'), locator('name', 'plan')))).toEqual(old);
		expect(await sentAndOut(sandbox, 'trends', trends(noMode('$browser'), noMode('plan')))).toEqual(old);
	});

	test('Funnel correlation: the correlated event, its property and person properties as text', async () => {
		const sandbox = getSandbox();
		const insightId = insightNamed(sandbox, 'Signup funnel').short_id;
		const correlation = (parameters: IDataObject) => ({ insightSource: 'saved', insightId, correlationPersons: 'converted', ...parameters });
		const actors = () => firstQuery(sandbox).source as IDataObject;

		const eventOnly = (correlatedEvent: Value) => correlation({ correlationType: 'events', correlatedEvent });
		const event = await sentAndOut(sandbox, 'funnelCorrelation', eventOnly('viewed_pricing'));
		expect(actors().funnelCorrelationPersonEntity).toEqual({ kind: 'EventsNode', event: 'viewed_pricing' });
		expect(await sentAndOut(sandbox, 'funnelCorrelation', eventOnly(locator('name', 'viewed_pricing')))).toEqual(event);
		expect(await sentAndOut(sandbox, 'funnelCorrelation', eventOnly(noMode('viewed_pricing')))).toEqual(event);

		const withProperty = (correlatedEvent: Value, eventPropertyKey: Value) =>
			correlation({ correlationType: 'event_with_properties', correlatedEvent, eventPropertyKey, eventPropertyValue: 'pro' });
		const eventProperty = await sentAndOut(sandbox, 'funnelCorrelation', withProperty('viewed_pricing', 'plan_viewed'));
		expect(actors().funnelCorrelationPersonEntity).toEqual({
			kind: 'EventsNode',
			event: 'viewed_pricing',
			properties: [{ key: 'plan_viewed', value: 'pro', type: 'event', operator: 'exact' }],
		});
		expect(
			await sentAndOut(sandbox, 'funnelCorrelation', withProperty(locator('list', 'viewed_pricing'), locator('name', 'plan_viewed'))),
		).toEqual(eventProperty);

		const personProperty = (key: Value) =>
			correlation({ correlationType: 'properties', correlatedProperties: { property: [{ key, value: 'pro' }] } });
		const properties = await sentAndOut(sandbox, 'funnelCorrelation', personProperty('plan'));
		expect(actors().funnelCorrelationPropertyValues).toEqual([{ key: 'plan', value: 'pro', type: 'person', operator: 'exact' }]);
		expect(await sentAndOut(sandbox, 'funnelCorrelation', personProperty(locator('name', 'plan')))).toEqual(properties);
		expect(await sentAndOut(sandbox, 'funnelCorrelation', personProperty(noMode('plan')))).toEqual(properties);
	});
});
