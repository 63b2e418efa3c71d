/**
 * The five Insight operations against the sandbox, for each source (saved insight, defined in
 * the node, raw JSON): the requests sent (insight lookup, POST query/ body) and the persons
 * returned, compared with a reference computed here from the sandbox's seeded events.
 */
import type { IDataObject } from 'n8n-workflow';
import { resetSafeRegexEngine, setSafeRegexEngine } from 'n8n-workflow';

import { useSandbox } from '../helpers/sandbox';
import {
	DAY,
	activeDays,
	all,
	eventsByPerson,
	funnelPersons,
	isEvent,
	lastDays,
	lifecyclePersons,
	personProperty,
	trendsCounts,
	utc,
	type Ev,
} from './reference';
import { NOW, expectPersons, firstQuery, insightLookups, insightNamed, queryBodies, runInsight, sourceOf } from './setup';

const getSandbox = useSandbox({ now: NOW, persons: 400 });

const pricingPageview = (ev: Ev) => ev.event === '$pageview' && String(ev.properties.$current_url ?? '').includes('/pricing');
const signedUpOrPurchased = (ev: Ev) => ev.event === 'signed_up' || ev.event === 'purchased';
const chromePageview = (ev: Ev) => ev.event === '$pageview' && ev.properties.$browser === 'Chrome';

test('the seeded actions are the ones the references below spell out', () => {
	const names = Object.fromEntries(getSandbox().store.actions.map((action) => [action.id, action.name]));
	expect(names).toMatchObject({ 1: 'Viewed pricing page', 2: 'Signed up or purchased', 3: 'Chrome pageview' });
});

describe('Get Funnel Persons', () => {
	const steps3 = [isEvent('$pageview'), isEvent('signed_up'), isEvent('purchased')];

	test('saved insight by short ID: converted through step 2', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Signup funnel');
		const { items, error } = await runInsight(sandbox, 'funnel', {
			insightSource: 'saved',
			insightId: insight.short_id,
			dataPoint: 'converted',
			step: 2,
		});
		expect(error).toBeUndefined();
		const lookups = insightLookups(sandbox);
		expect(lookups).toHaveLength(1);
		expect(lookups[0].path).toBe('/api/projects/1/insights/');
		expect(lookups[0].query).toEqual({ short_id: insight.short_id, basic: 'true' });
		const [body] = queryBodies(sandbox);
		expect(body).toEqual({
			query: {
				kind: 'ActorsQuery',
				select: ['actor'],
				source: { kind: 'FunnelsActorsQuery', source: sourceOf(sandbox, 'Signup funnel'), funnelStep: 2 },
				limit: 1000,
				offset: 0,
			},
			refresh: 'blocking',
			name: 'n8n: Get Funnel Persons',
		});
		const expected = funnelPersons(sandbox, steps3, lastDays(sandbox, 30)).filter((p) => p.best.steps.length >= 2);
		expectPersons(items, expected.map((p) => p.personId));
		// items carry the person as PostHog's actor column has it
		const first = items[0].json;
		const person = sandbox.store.personsByUuid.get(String(first.id));
		expect(first).toEqual({
			id: person?.uuid,
			distinct_ids: person?.distinctIds,
			properties: person?.properties,
			created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			is_identified: person?.isIdentified,
		});
		expect(Object.keys(first)).toEqual(['id', 'distinct_ids', 'properties', 'created_at', 'is_identified']);
	});

	test('saved insight by URL: dropped off at step 3', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Signup funnel');
		const { items } = await runInsight(sandbox, 'funnel', {
			insightSource: 'saved',
			insightId: `${sandbox.url}/project/1/insights/${insight.short_id}/edit?foo=1`,
			dataPoint: 'droppedOff',
			step: 3,
		});
		expect((firstQuery(sandbox).source as IDataObject).funnelStep).toBe(-3);
		const expected = funnelPersons(sandbox, steps3, lastDays(sandbox, 30)).filter((p) => p.best.steps.length === 2);
		expectPersons(items, expected.map((p) => p.personId));
	});

	// n8n (2.x, 1.123) runs a mode's extractValue regex (`exec`) in a VM context limited to 250 ms, which a busy
	// worker can exceed: the node reads the URL itself. (n8n's own check of the field, `test`, runs
	// once when the execution starts.)
	test('saved insight picked By URL, with n8n\'s regex exec timing out: the same persons', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Signup funnel');
		const timedOut = () => {
			throw new Error('Regular expression execution timed out');
		};
		const native = (pattern: string, input: string, flags?: string) => new RegExp(pattern, flags).test(input);
		setSafeRegexEngine({ exec: timedOut, test: native, replace: timedOut, matchAll: timedOut, split: timedOut });
		try {
			const { items, error } = await runInsight(sandbox, 'funnel', {
				insightSource: 'saved',
				insightId: { __rl: true, mode: 'url', value: `${sandbox.url}/project/1/insights/${insight.short_id}?edit=1` },
				dataPoint: 'droppedOff',
				step: 3,
			});
			expect(error).toBeUndefined();
			expect(insightLookups(sandbox).map((call) => call.query)).toEqual([{ short_id: insight.short_id, basic: 'true' }]);
			const expected = funnelPersons(sandbox, steps3, lastDays(sandbox, 30)).filter((p) => p.best.steps.length === 2);
			expectPersons(items, expected.map((p) => p.personId));
		} finally {
			resetSafeRegexEngine();
		}
	});

	test('saved insight with a breakdown, by numeric ID: converted through step 2 for Chrome', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Signup funnel by browser');
		const { items } = await runInsight(sandbox, 'funnel', {
			insightSource: 'saved',
			insightId: String(insight.id),
			dataPoint: 'converted',
			step: 2,
			// a workflow made before Data Point Options: the value at the top level still counts
			breakdownValue: 'Chrome',
		});
		const lookups = insightLookups(sandbox);
		expect(lookups.map((call) => call.path)).toEqual([`/api/projects/1/insights/${insight.id}/`]);
		// insights/{id}/ does not take basic=true (only the list does)
		expect(lookups[0].query).toEqual({});
		expect((firstQuery(sandbox).source as IDataObject).funnelStepBreakdown).toEqual(['Chrome']);
		// first-touch attribution: the browser of the person's first funnel entry
		const expected = funnelPersons(sandbox, [isEvent('$pageview'), isEvent('signed_up')], lastDays(sandbox, 30)).filter(
			(p) => p.best.steps.length >= 2 && p.attempts[0].entry.properties.$browser === 'Chrome',
		);
		expectPersons(items, expected.map((p) => p.personId));
	});

	test('saved conversion-over-time funnel: dropped off among those who entered on a day', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Signup conversion over time');
		const day = '2024-02-22';
		const { items } = await runInsight(sandbox, 'funnel', {
			insightSource: 'saved',
			insightId: insight.short_id,
			dataPoint: 'droppedOff',
			dataPointOptions: { entrancePeriodStart: `${day} 00:00:00` },
		});
		expect(firstQuery(sandbox).source).toEqual({
			kind: 'FunnelsActorsQuery',
			source: sourceOf(sandbox, 'Signup conversion over time'),
			funnelTrendsDropOff: true,
			funnelTrendsEntrancePeriodStart: '2024-02-22 00:00:00',
		});
		const start = utc(day);
		const droppedOff = funnelPersons(sandbox, [isEvent('$pageview'), isEvent('signed_up')], lastDays(sandbox, 14)).filter((p) => {
			const entered = p.attempts.filter((a) => a.entry.timestamp >= start && a.entry.timestamp < start + DAY);
			return entered.length > 0 && !entered.some((a) => a.steps.length === 2);
		});
		expectPersons(items, droppedOff.map((p) => p.personId));
	});

	test('defined in node, conversion over time: converted among those who entered on a day', async () => {
		const sandbox = getSandbox();
		const day = '2024-02-24';
		const { items, error } = await runInsight(sandbox, 'funnel', {
			insightSource: 'defined',
			insightSeries: { entry: [{ type: 'event', event: '$pageview' }, { type: 'event', event: 'signed_up' }] },
			funnelVizType: 'trends',
			dateFrom: '-14d',
			interval: 'day',
			dataPoint: 'converted',
			dataPointEntrancePeriod: day,
		});
		expect(error).toBeUndefined();
		expect(firstQuery(sandbox).source).toEqual({
			kind: 'FunnelsActorsQuery',
			funnelTrendsDropOff: false,
			funnelTrendsEntrancePeriodStart: day,
			source: {
				kind: 'FunnelsQuery',
				series: [
					{ kind: 'EventsNode', event: '$pageview', name: '$pageview' },
					{ kind: 'EventsNode', event: 'signed_up', name: 'signed_up' },
				],
				dateRange: { date_from: '-14d' },
				interval: 'day',
				funnelsFilter: { funnelVizType: 'trends' },
			},
		});
		const start = utc(day);
		const converted = funnelPersons(sandbox, [isEvent('$pageview'), isEvent('signed_up')], lastDays(sandbox, 14)).filter((p) =>
			p.attempts.some((a) => a.entry.timestamp >= start && a.entry.timestamp < start + DAY && a.steps.length === 2),
		);
		expectPersons(items, converted.map((p) => p.personId));
	});

	test('defined in node: event and action steps, conversion window, person property filter', async () => {
		const sandbox = getSandbox();
		const { items, error } = await runInsight(sandbox, 'funnel', {
			insightSource: 'defined',
			insightSeries: {
				entry: [
					{ type: 'event', event: '$pageview' },
					{ type: 'action', actionId: 2 },
				],
			},
			funnelVizType: 'steps',
			dateFrom: '-30d',
			insightSettings: {
				funnelWindowInterval: 3,
				funnelWindowIntervalUnit: 'day',
				propertyFilters: { filter: [{ type: 'person', key: 'plan', operator: 'exact', value: 'free' }] },
			},
			dataPoint: 'converted',
			step: 2,
		});
		expect(error).toBeUndefined();
		expect(insightLookups(sandbox)).toHaveLength(0);
		expect((firstQuery(sandbox).source as IDataObject).source).toEqual({
			kind: 'FunnelsQuery',
			series: [
				{ kind: 'EventsNode', event: '$pageview', name: '$pageview' },
				{ kind: 'ActionsNode', id: 2 },
			],
			dateRange: { date_from: '-30d' },
			properties: [{ key: 'plan', operator: 'exact', value: 'free', type: 'person' }],
			funnelsFilter: { funnelVizType: 'steps', funnelWindowInterval: 3, funnelWindowIntervalUnit: 'day' },
		});
		const free = (ev: Ev) => personProperty(sandbox, ev, 'plan') === 'free';
		const expected = funnelPersons(sandbox, [all(isEvent('$pageview'), free), all(signedUpOrPurchased, free)], lastDays(sandbox, 30), 3 * DAY).filter(
			(p) => p.best.steps.length >= 2,
		);
		expectPersons(items, expected.map((p) => p.personId));
	});

	test('raw JSON (an InsightVizNode): a one-hour conversion window', async () => {
		const sandbox = getSandbox();
		const query = {
			kind: 'InsightVizNode',
			source: {
				kind: 'FunnelsQuery',
				series: [
					{ kind: 'EventsNode', event: '$pageview' },
					{ kind: 'EventsNode', event: 'signed_up' },
				],
				dateRange: { date_from: '-30d' },
				funnelsFilter: { funnelWindowInterval: 1, funnelWindowIntervalUnit: 'hour' },
			},
		};
		const { items } = await runInsight(sandbox, 'funnel', {
			insightSource: 'json',
			insightQuery: JSON.stringify(query),
			dataPoint: 'converted',
			step: 2,
		});
		expect((firstQuery(sandbox).source as IDataObject).source).toEqual(query.source);
		const expected = funnelPersons(sandbox, [isEvent('$pageview'), isEvent('signed_up')], lastDays(sandbox, 30), 3_600_000).filter(
			(p) => p.best.steps.length >= 2,
		);
		expectPersons(items, expected.map((p) => p.personId));
		// the window matters: a 14-day window converts more persons
		const wider = funnelPersons(sandbox, [isEvent('$pageview'), isEvent('signed_up')], lastDays(sandbox, 30)).filter((p) => p.best.steps.length >= 2);
		expect(wider.length).toBeGreaterThan(expected.length);
	});
});

describe('Get Funnel Correlation Persons', () => {
	/** Correlated events in the funnel window of the person's best attempt. */
	const didInWindow = (events: Ev[], attempt: { entry: Ev; steps: Ev[] }, complete: boolean, pred: (ev: Ev) => boolean, to: number) => {
		const first = attempt.entry.timestamp;
		const last = complete ? attempt.steps[attempt.steps.length - 1].timestamp : first + 14 * DAY;
		return events.some((ev) => ev.timestamp > first && ev.timestamp < last && ev.timestamp <= to && pred(ev));
	};

	test('saved funnel, correlated event, converted persons', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Signup funnel');
		const { items, error } = await runInsight(sandbox, 'funnelCorrelation', {
			insightSource: 'saved',
			insightId: insight.short_id,
			correlationType: 'events',
			correlatedEvent: 'viewed_pricing',
			correlationPersons: 'converted',
		});
		expect(error).toBeUndefined();
		expect(insightLookups(sandbox)).toHaveLength(1);
		expect(firstQuery(sandbox)).toEqual({
			kind: 'ActorsQuery',
			select: ['actor'],
			source: {
				kind: 'FunnelCorrelationActorsQuery',
				funnelCorrelationPersonConverted: true,
				funnelCorrelationPersonEntity: { kind: 'EventsNode', event: 'viewed_pricing' },
				source: {
					kind: 'FunnelCorrelationQuery',
					funnelCorrelationType: 'events',
					source: { kind: 'FunnelsActorsQuery', source: sourceOf(sandbox, 'Signup funnel'), funnelStep: 1 },
				},
			},
			limit: 1000,
			offset: 0,
		});
		const range = lastDays(sandbox, 30);
		const events = eventsByPerson(sandbox);
		const expected = funnelPersons(sandbox, [isEvent('$pageview'), isEvent('signed_up'), isEvent('purchased')], range).filter(
			(p) => p.best.steps.length === 3 && didInWindow(events.get(p.personId) ?? [], p.best, true, isEvent('viewed_pricing'), range.to),
		);
		expectPersons(items, expected.map((p) => p.personId));
	});

	test('defined funnel, person property value, converted and dropped off', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'funnelCorrelation', {
			insightSource: 'defined',
			insightSeries: { entry: [{ type: 'event', event: '$pageview' }, { type: 'event', event: 'signed_up' }] },
			dateFrom: '-30d',
			correlationType: 'properties',
			correlatedProperties: { property: [{ key: 'plan', value: 'pro' }] },
			correlationPersons: 'both',
		});
		const actors = firstQuery(sandbox).source as IDataObject;
		expect(actors).not.toHaveProperty('funnelCorrelationPersonConverted');
		expect(actors.funnelCorrelationPropertyValues).toEqual([{ key: 'plan', value: 'pro', type: 'person', operator: 'exact' }]);
		const expected = funnelPersons(sandbox, [isEvent('$pageview'), isEvent('signed_up')], lastDays(sandbox, 30)).filter(
			(p) => sandbox.store.personsByUuid.get(p.personId)?.properties.plan === 'pro',
		);
		expectPersons(items, expected.map((p) => p.personId));
	});

	test('raw JSON funnel, event with a property value, dropped-off persons', async () => {
		const sandbox = getSandbox();
		const source = {
			kind: 'FunnelsQuery',
			series: [
				{ kind: 'EventsNode', event: '$pageview' },
				{ kind: 'EventsNode', event: 'signed_up' },
				{ kind: 'EventsNode', event: 'purchased' },
			],
			dateRange: { date_from: '-30d' },
		};
		const { items } = await runInsight(sandbox, 'funnelCorrelation', {
			insightSource: 'json',
			insightQuery: source,
			correlationType: 'event_with_properties',
			correlatedEvent: 'viewed_pricing',
			eventPropertyKey: 'plan_viewed',
			eventPropertyValue: 'pro',
			correlationPersons: 'droppedOff',
		});
		expect((firstQuery(sandbox).source as IDataObject).funnelCorrelationPersonEntity).toEqual({
			kind: 'EventsNode',
			event: 'viewed_pricing',
			properties: [{ key: 'plan_viewed', value: 'pro', type: 'event', operator: 'exact' }],
		});
		const range = lastDays(sandbox, 30);
		const events = eventsByPerson(sandbox);
		const pred = (ev: Ev) => ev.event === 'viewed_pricing' && ev.properties.plan_viewed === 'pro';
		const expected = funnelPersons(sandbox, [isEvent('$pageview'), isEvent('signed_up'), isEvent('purchased')], range).filter(
			(p) => p.best.steps.length < 3 && didInWindow(events.get(p.personId) ?? [], p.best, false, pred, range.to),
		);
		expectPersons(items, expected.map((p) => p.personId));
	});
});

describe('Get Trends Persons', () => {
	/** Items are the persons with their event counts, most events first. */
	function expectCounts(items: Array<{ json: IDataObject }>, counts: Map<string, number>) {
		expectPersons(items as never, counts.keys());
		for (const item of items) expect(item.json.event_count).toBe(counts.get(String(item.json.id)));
		const order = items.map((item) => Number(item.json.event_count));
		expect(order).toEqual([...order].sort((a, b) => b - a));
	}

	test('saved insight: one day of a line chart, with event counts', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Daily pageviews');
		const { items, error } = await runInsight(sandbox, 'trends', {
			insightSource: 'saved',
			insightId: insight.short_id,
			series: '1',
			day: '2024-02-20',
		});
		expect(error).toBeUndefined();
		expect(firstQuery(sandbox)).toEqual({
			kind: 'ActorsQuery',
			select: ['actor', 'event_count'],
			orderBy: ['event_count DESC', 'actor_id DESC'],
			source: { kind: 'InsightActorsQuery', source: sourceOf(sandbox, 'Daily pageviews'), series: 0, day: '2024-02-20' },
			limit: 1000,
			offset: 0,
		});
		expectCounts(items, trendsCounts(sandbox, isEvent('$pageview'), utc('2024-02-20'), utc('2024-02-21')));
	});

	test('saved insight with a breakdown: series by name, one browser', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'trends', {
			insightSource: 'saved',
			insightId: insightNamed(sandbox, 'Daily active users by browser').short_id,
			series: '$pageview',
			day: '2024-02-25',
			dataPointOptions: { breakdownValue: 'Firefox' },
		});
		expect(firstQuery(sandbox).source).toMatchObject({ series: 0, day: '2024-02-25', breakdown: 'Firefox' });
		expectCounts(items, trendsCounts(sandbox, (ev) => ev.event === '$pageview' && ev.properties.$browser === 'Firefox', utc('2024-02-25'), utc('2024-02-26')));
	});

	test('saved weekly insight: the week starting on the given day', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'trends', {
			insightSource: 'saved',
			insightId: insightNamed(sandbox, 'Weekly signups').short_id,
			day: '2024-02-18',
		});
		expectCounts(items, trendsCounts(sandbox, isEvent('signed_up'), utc('2024-02-18'), utc('2024-02-25')));
	});

	test('saved total-value insight: no day, the whole date range', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'trends', {
			insightSource: 'saved',
			insightId: insightNamed(sandbox, 'Purchases (total)').short_id,
			day: '',
		});
		expect(firstQuery(sandbox).source).not.toHaveProperty('day');
		const range = lastDays(sandbox, 30);
		expectCounts(items, trendsCounts(sandbox, isEvent('purchased'), range.from, range.to + 1));
	});

	test('defined in node: second series (an action), event property filter, previous period', async () => {
		const sandbox = getSandbox();
		const { items, error } = await runInsight(sandbox, 'trends', {
			insightSource: 'defined',
			insightSeries: {
				entry: [
					{ type: 'event', event: { __rl: true, mode: 'list', value: 'signed_up' }, math: 'total' },
					{ type: 'action', actionId: { __rl: true, mode: 'list', value: '1' }, math: 'total' },
				],
			},
			dateFrom: '-7d',
			interval: 'day',
			comparePrevious: true,
			insightSettings: {
				propertyFilters: { filter: [{ type: 'event', key: { __rl: true, mode: 'list', value: '$browser' }, operator: 'exact', value: 'Chrome' }] },
			},
			series: '2',
			day: '2024-02-28',
			dataPointPeriod: 'previous',
		});
		expect(error).toBeUndefined();
		expect(firstQuery(sandbox).source).toEqual({
			kind: 'InsightActorsQuery',
			series: 1,
			day: '2024-02-28',
			compare: 'previous',
			source: {
				kind: 'TrendsQuery',
				series: [
					{ kind: 'EventsNode', event: 'signed_up', name: 'signed_up', math: 'total' },
					{ kind: 'ActionsNode', id: 1, math: 'total' },
				],
				dateRange: { date_from: '-7d' },
				interval: 'day',
				properties: [{ key: '$browser', operator: 'exact', value: 'Chrome', type: 'event' }],
				compareFilter: { compare: true },
			},
		});
		// previous period = the same day shifted back by the length of the date range (8 whole days)
		const range = lastDays(sandbox, 7);
		const shift = range.to + 1 - range.from;
		const day = utc('2024-02-28') - shift;
		expectCounts(items, trendsCounts(sandbox, (ev) => pricingPageview(ev) && ev.properties.$browser === 'Chrome', day, day + DAY));
	});

	test('a defined insight made before Breakdown and Compare were on screen keeps its old settings and values', async () => {
		const sandbox = getSandbox();
		const { items, error } = await runInsight(sandbox, 'trends', {
			insightSource: 'defined',
			insightSeries: { entry: [{ type: 'event', event: '$pageview', math: 'total' }] },
			dateFrom: '-7d',
			interval: 'day',
			insightSettings: { compare: true, breakdownProperty: '$browser', breakdownType: 'event' },
			series: '1',
			day: '2024-02-28',
			breakdownValue: 'Safari',
			compare: 'previous',
		});
		expect(error).toBeUndefined();
		const source = firstQuery(sandbox).source as IDataObject;
		expect(source).toMatchObject({ breakdown: 'Safari', compare: 'previous' });
		expect(source.source).toMatchObject({ compareFilter: { compare: true }, breakdownFilter: { breakdown_type: 'event', breakdown: '$browser' } });
		const range = lastDays(sandbox, 7);
		const day = utc('2024-02-28') - (range.to + 1 - range.from);
		expectCounts(items, trendsCounts(sandbox, (ev) => ev.event === '$pageview' && ev.properties.$browser === 'Safari', day, day + DAY));
	});

	test('raw JSON with recordings: matched_recordings lists the sessions of the counted events', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'trends', {
			insightSource: 'json',
			insightQuery: JSON.stringify({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }], dateRange: { date_from: '-14d' } }),
			day: '2024-02-26',
			options: { includeRecordings: true },
		});
		const query = firstQuery(sandbox);
		expect(query.select).toEqual(['actor', 'event_count', 'matched_recordings']);
		expect((query.source as IDataObject).includeRecordings).toBe(true);
		const from = utc('2024-02-26');
		const sessions = new Map<string, Set<string>>();
		for (const ev of sandbox.store.events) {
			if (ev.event !== '$pageview' || ev.timestamp < from || ev.timestamp >= from + DAY) continue;
			const set = sessions.get(ev.personId) ?? new Set<string>();
			set.add(ev.sessionId);
			sessions.set(ev.personId, set);
		}
		expectPersons(items, sessions.keys());
		for (const item of items) {
			const recordings = item.json.matched_recordings as Array<{ session_id: string }>;
			expect(recordings.map((recording) => recording.session_id).sort()).toEqual([...(sessions.get(String(item.json.id)) ?? [])].sort());
		}
	});
});

describe('Get Lifecycle Persons', () => {
	const STATUSES = ['new', 'returning', 'resurrecting', 'dormant'];

	/** A day of the range on which every status has persons (by the reference), as YYYY-MM-DD. */
	function busyDay(pred: (ev: Ev) => boolean): string {
		const sandbox = getSandbox();
		const range = lastDays(sandbox, 30);
		let best = { day: range.from + DAY, min: -1 };
		for (let day = range.from + DAY; day < range.to - DAY; day += DAY) {
			const min = Math.min(...STATUSES.map((status) => lifecyclePersons(sandbox, pred, range, day, status).size));
			if (min > best.min) best = { day, min };
		}
		return new Date(best.day).toISOString().slice(0, 10);
	}

	test.each(STATUSES)('saved insight: %s persons on a day', async (status) => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'User lifecycle');
		const day = busyDay(isEvent('$pageview'));
		const { items, error } = await runInsight(sandbox, 'lifecycle', {
			insightSource: 'saved',
			insightId: insight.short_id,
			status,
			day,
		});
		expect(error).toBeUndefined();
		expect(firstQuery(sandbox)).toEqual({
			kind: 'ActorsQuery',
			select: ['actor'],
			source: { kind: 'InsightActorsQuery', source: sourceOf(sandbox, 'User lifecycle'), day, status },
			limit: 1000,
			offset: 0,
		});
		expectPersons(items, lifecyclePersons(sandbox, isEvent('$pageview'), lastDays(sandbox, 30), utc(day), status));
	});

	test('defined in node: an action series', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'lifecycle', {
			insightSource: 'defined',
			insightSeries: { entry: [{ type: 'action', actionId: 3 }] },
			dateFrom: '-30d',
			interval: 'day',
			status: 'returning',
			day: '2024-02-27',
		});
		expect((firstQuery(sandbox).source as IDataObject).source).toEqual({
			kind: 'LifecycleQuery',
			series: [{ kind: 'ActionsNode', id: 3 }],
			dateRange: { date_from: '-30d' },
			interval: 'day',
		});
		expectPersons(items, lifecyclePersons(sandbox, chromePageview, lastDays(sandbox, 30), utc('2024-02-27'), 'returning'));
	});

	test('raw JSON: a lifecycle filtered to one browser; any time of the day works', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'lifecycle', {
			insightSource: 'json',
			insightQuery: {
				kind: 'LifecycleQuery',
				series: [{ kind: 'EventsNode', event: '$pageview' }],
				dateRange: { date_from: '-30d' },
				properties: [{ key: '$browser', value: 'Safari', operator: 'exact', type: 'event' }],
			},
			status: 'dormant',
			day: '2024-02-15T18:30:00Z',
		});
		expectPersons(
			items,
			lifecyclePersons(sandbox, (ev) => ev.event === '$pageview' && ev.properties.$browser === 'Safari', lastDays(sandbox, 30), utc('2024-02-15'), 'dormant'),
		);
	});
});

describe('Get Stickiness Persons', () => {
	test('saved insight: persons active on exactly 2 days', async () => {
		const sandbox = getSandbox();
		const insight = insightNamed(sandbox, 'Pageview stickiness');
		const { items, error } = await runInsight(sandbox, 'stickiness', {
			insightSource: 'saved',
			insightId: insight.short_id,
			intervals: 2,
			series: '1',
		});
		expect(error).toBeUndefined();
		expect(firstQuery(sandbox)).toEqual({
			kind: 'ActorsQuery',
			select: ['actor'],
			source: { kind: 'InsightActorsQuery', source: sourceOf(sandbox, 'Pageview stickiness'), day: 2 },
			limit: 1000,
			offset: 0,
		});
		const days = activeDays(sandbox, isEvent('$pageview'), lastDays(sandbox, 30));
		expectPersons(items, [...days].filter(([, count]) => count === 2).map(([id]) => id));
	});

	test('defined in node with two series: only the chosen series is queried', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'stickiness', {
			insightSource: 'defined',
			insightSeries: { entry: [{ type: 'event', event: '$pageview' }, { type: 'event', event: 'viewed_pricing' }] },
			dateFrom: '-30d',
			interval: 'day',
			intervals: 1,
			series: 'viewed_pricing',
		});
		const sent = (firstQuery(sandbox).source as IDataObject).source as IDataObject;
		expect(sent.series).toEqual([{ kind: 'EventsNode', event: 'viewed_pricing', name: 'viewed_pricing', math: 'total' }]);
		const range = lastDays(sandbox, 30);
		const expected = [...activeDays(sandbox, isEvent('viewed_pricing'), range)].filter(([, count]) => count === 1).map(([id]) => id);
		expectPersons(items, expected);
		// with both series PostHog would mix in persons active on one day of $pageview
		const pageviewOnce = [...activeDays(sandbox, isEvent('$pageview'), range)].filter(([, count]) => count === 1).map(([id]) => id);
		expect(pageviewOnce.some((id) => !expected.includes(id))).toBe(true);
	});

	test('raw JSON cumulative stickiness: at least 3 active days', async () => {
		const sandbox = getSandbox();
		const { items } = await runInsight(sandbox, 'stickiness', {
			insightSource: 'json',
			insightQuery: JSON.stringify({
				kind: 'StickinessQuery',
				series: [{ kind: 'EventsNode', event: '$pageview' }],
				dateRange: { date_from: '-30d' },
				stickinessFilter: { computedAs: 'cumulative' },
			}),
			intervals: 3,
			series: '1',
		});
		const days = activeDays(sandbox, isEvent('$pageview'), lastDays(sandbox, 30));
		expectPersons(items, [...days].filter(([, count]) => count >= 3).map(([id]) => id));
	});
});
