/**
 * Every "From List" of the node run in n8n-core's LoadOptionsContext, as the editor runs them
 * when the user opens a list: what is asked of PostHog (path, query, key), what the list shows
 * (names, values, links), paging, and the message when the API key lacks the list's scope.
 */
import type { IDataObject, INodeListSearchResult } from 'n8n-workflow';
import { resetSafeRegexEngine, setSafeRegexEngine } from 'n8n-workflow';

import { runListSearch, type ListSearchPanel } from '../harness/engine';
import type { SandboxKeys } from '../../sandbox';
import { expectNoSecret, runAgainst, sandboxCredentials, useSandbox, type Sandbox } from '../helpers/sandbox';

const getSandbox = useSandbox({ persons: 300 });

/** Extra cohorts, actions, events and person properties, so every list has more than one page. */
beforeAll(() => {
	const { store } = getSandbox();
	for (let index = 0; index < 60; index++) {
		store.cohorts.push({
			id: 100 + index,
			name: `Campaign cohort ${String(index).padStart(2, '0')}`,
			description: '',
			filters: null,
			isStatic: true,
			staticMembers: new Set(),
			deleted: false,
			createdAt: store.now() - index * 60_000,
		});
	}
	for (let index = 0; index < 130; index++) {
		store.actions.push({ id: 100 + index, name: `Clicked button ${String(index).padStart(3, '0')}`, steps: [{ event: `button_${index}` }] });
	}
	const person = [...store.personsByUuid.values()].find((candidate) => candidate.isIdentified)!;
	for (let index = 0; index < 60; index++) {
		store.addEvent({ event: `feature_used_${String(index).padStart(2, '0')}`, distinctId: person.distinctIds[0], properties: { [`feature_flag_${index}`]: true } });
	}
	store.setPersonProperties(person, Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`trait_${String(index).padStart(2, '0')}`, index])));
});

const call = (sandbox: Sandbox, index = 0) => ({ path: sandbox.requests[index].path, query: sandbox.requests[index].query });

/** Every page of a list, following the pagination token. */
async function allPages(method: string, sandbox: Sandbox, filter?: string, panel?: ListSearchPanel) {
	const pages: INodeListSearchResult[] = [];
	let token: string | undefined;
	do {
		const page = await runListSearch(method, sandboxCredentials(sandbox), filter, token, panel);
		pages.push(page);
		token = page.paginationToken;
	} while (token !== undefined && pages.length < 20);
	return pages;
}

async function expectScopeMessage(method: string, key: keyof SandboxKeys, scope: string, what: string, panel?: ListSearchPanel) {
	const sandbox = getSandbox();
	const search = runListSearch(method, sandboxCredentials(sandbox, key), undefined, undefined, panel);
	await expect(search).rejects.toThrow(`The API key lacks the scope ${scope}, which the list of ${what} needs`);
	await search.catch((error: Error & { description?: string }) => {
		expect(error.description).toMatch(new RegExp(`Add the scope "${scope}" to the personal API key`));
		expect(error.message).not.toContain(sandbox.keys[key]);
	});
	expect(sandbox.requests.map((request) => request.status)).toEqual([403]);
}

describe('Person field', () => {
	test('searches persons by email fragment, one entry per person with its UUID as value and a link', async () => {
		const sandbox = getSandbox();
		const withEmail = [...sandbox.store.personsByUuid.values()].find((person) => typeof person.properties.email === 'string')!;
		const fragment = String(withEmail.properties.email).split('@')[0];
		const result = await runListSearch('searchPersons', sandboxCredentials(sandbox), fragment);
		expect(sandbox.requests).toHaveLength(1);
		expect(call(sandbox)).toEqual({ path: `/api/projects/${sandbox.projectId}/persons/`, query: { limit: '50', offset: '0', search: fragment } });
		expect(sandbox.requests[0].authorization).toBe(`Bearer ${sandbox.keys.all}`);
		const entry = result.results.find((candidate) => candidate.value === withEmail.uuid)!;
		expect(entry.name).toContain(withEmail.distinctIds[0]);
		expect(entry.url).toBe(`${sandbox.url}/project/${sandbox.projectId}/persons/${withEmail.uuid}`);
		expectNoSecret(result, sandbox.keys.all);
	});

	test('pages with a token while PostHog has more, and stops when it has not', async () => {
		const sandbox = getSandbox();
		const first = await runListSearch('searchPersons', sandboxCredentials(sandbox));
		expect(first.results).toHaveLength(50);
		expect(first.paginationToken).toBe('50');
		const second = await runListSearch('searchPersons', sandboxCredentials(sandbox), undefined, first.paginationToken as string);
		expect(sandbox.requests[1].query).toEqual({ limit: '50', offset: '50' });
		const firstValues = new Set(first.results.map((entry) => entry.value));
		expect(second.results.some((entry) => firstValues.has(entry.value))).toBe(false);
		const last = await runListSearch('searchPersons', sandboxCredentials(sandbox), undefined, '250');
		expect(last.results).toHaveLength(50);
		const beyond = await runListSearch('searchPersons', sandboxCredentials(sandbox), undefined, '300');
		expect(beyond.results).toHaveLength(0);
		expect(beyond.paginationToken).toBeUndefined();
	});

	test('an unknown key gets PostHog\'s 401 message, without the key in it', async () => {
		const sandbox = getSandbox();
		const unknownKey = 'phx_unknownKey00000000000000000000000000000';
		const search = runListSearch('searchPersons', { ...sandboxCredentials(sandbox), apiKey: unknownKey });
		await expect(search).rejects.toThrow(/PostHog 401 authentication_failed/);
		await search.catch((error: Error) => expect(error.message).not.toContain(unknownKey));
	});
});

describe('Saved Insight field', () => {
	const panel = (operation: string): ListSearchPanel => ({ parameters: { resource: 'insight', operation, insightSource: 'saved' }, path: 'parameters.insightId' });

	test.each([
		['getRetentionPersons', 'RETENTION', 'RetentionQuery'],
		['getPathsPersons', 'PATHS', 'PathsQuery'],
		['getFunnelCorrelationPersons', 'FUNNELS', 'FunnelsQuery'],
		['getTrendsPersons', 'TRENDS', 'TrendsQuery'],
	])('%s offers only %s insights, newest first, each with its kind, short ID and link', async (operation, filter, kind) => {
		const sandbox = getSandbox();
		const result = await runListSearch('searchInsights', sandboxCredentials(sandbox), undefined, undefined, panel(operation));
		expect(call(sandbox)).toEqual({
			path: '/api/projects/1/insights/',
			query: { basic: 'true', saved: 'true', limit: '50', offset: '0', insight: filter, order: '-last_modified_at' },
		});
		const expected = sandbox.store.insights
			.filter((insight) => (insight.query.source as IDataObject | undefined)?.kind === kind)
			.sort((a, b) => b.last_modified_at - a.last_modified_at);
		expect(result.results.map((entry) => entry.value)).toEqual(expected.map((insight) => insight.short_id));
		expect(result.results[0]).toMatchObject({
			name: expected[0].name,
			url: `${sandbox.url}/project/1/insights/${expected[0].short_id}`,
		});
		expect(result.results[0].description).toMatch(new RegExp(`· ${expected[0].short_id}$`));
		expect(result.paginationToken).toBeUndefined();
	});

	test('search: by name, PostHog\'s relevance order (no order parameter); funnels say which funnel type', async () => {
		const sandbox = getSandbox();
		const result = await runListSearch('searchInsights', sandboxCredentials(sandbox), 'conversion', undefined, panel('getFunnelPersons'));
		expect(call(sandbox).query).toEqual({ basic: 'true', saved: 'true', limit: '50', offset: '0', insight: 'FUNNELS', search: 'conversion' });
		expect(result.results).toEqual([
			expect.objectContaining({ name: 'Signup conversion over time', description: expect.stringMatching(/^Funnel \(conversion over time\) · /) }),
		]);
	});

	test('paging: 50 per page while PostHog has a next link', async () => {
		const sandbox = getSandbox();
		const { store } = sandbox;
		const base = store.insights.find((insight) => insight.name === 'Daily pageviews')!;
		for (let index = 0; index < 70; index++) {
			store.insights.push({ ...base, id: 1000 + index, short_id: `Extra${String(index).padStart(3, '0')}`, name: `Extra trends ${index}`, last_modified_at: base.last_modified_at - (index + 1) * 1000 });
		}
		try {
			const trends = store.insights.filter((insight) => (insight.query.source as IDataObject | undefined)?.kind === 'TrendsQuery');
			expect(trends.length).toBeGreaterThan(70);
			const pages = await allPages('searchInsights', sandbox, undefined, panel('getTrendsPersons'));
			expect(pages.map((page) => page.results.length)).toEqual([50, trends.length - 50]);
			expect(sandbox.requests.map((request) => request.query.offset)).toEqual(['0', '50']);
			const values = pages.flatMap((page) => page.results.map((entry) => entry.value));
			expect(new Set(values)).toEqual(new Set(trends.map((insight) => insight.short_id)));
		} finally {
			store.insights.splice(store.insights.length - 70, 70);
		}
	});

	test('a key without insight:read: the list says which scope to add', async () => {
		await expectScopeMessage('searchInsights', 'noInsight', 'insight:read', 'saved insights', panel('getRetentionPersons'));
	});
});

describe('Cohort field (Get Many filter)', () => {
	test('search, a link per cohort, the member count; deleted cohorts never', async () => {
		const sandbox = getSandbox();
		const result = await runListSearch('searchCohorts', sandboxCredentials(sandbox), 'plan');
		expect(call(sandbox)).toEqual({ path: '/api/projects/1/cohorts/', query: { basic: 'true', limit: '50', offset: '0', search: 'plan' } });
		expect(result.results).toEqual([
			{
				name: 'Pro plan',
				value: '1',
				description: `${sandbox.store.cohortMembers(1).size} persons · ID 1`,
				url: `${sandbox.url}/project/1/cohorts/1`,
			},
		]);
		const all = await allPages('searchCohorts', sandbox);
		expect(all.flatMap((page) => page.results.map((entry) => entry.value))).not.toContain('6');
	});

	test('paging: 50 per page, every cohort once', async () => {
		const sandbox = getSandbox();
		const pages = await allPages('searchCohorts', sandbox);
		expect(pages.map((page) => page.results.length)).toEqual([50, 15]);
		const values = pages.flatMap((page) => page.results.map((entry) => entry.value));
		expect(new Set(values).size).toBe(65);
	});

	test('a key without cohort:read: the list says which scope to add', async () => {
		await expectScopeMessage('searchCohorts', 'personOnly', 'cohort:read', 'cohorts');
	});
});

describe('Action field (insight steps and series)', () => {
	test('PostHog lists all actions at once: one request, searched by name or ID in the node', async () => {
		const sandbox = getSandbox();
		const result = await runListSearch('searchActions', sandboxCredentials(sandbox), 'pricing');
		expect(call(sandbox)).toEqual({ path: '/api/projects/1/actions/', query: {} });
		expect(result).toEqual({
			results: [{ name: 'Viewed pricing page', value: '1', description: 'ID 1', url: `${sandbox.url}/project/1/data-management/actions/1` }],
		});
		const byId = await runListSearch('searchActions', sandboxCredentials(sandbox), '3');
		expect(byId.results.map((entry) => entry.value)).toEqual(expect.arrayContaining(['3']));
	});

	test('paging: 100 per page from the one answer', async () => {
		const sandbox = getSandbox();
		const pages = await allPages('searchActions', sandbox);
		expect(pages.map((page) => page.results.length)).toEqual([100, 33]);
		expect(new Set(pages.flatMap((page) => page.results.map((entry) => entry.value))).size).toBe(133);
		expect(sandbox.requests.every((request) => request.path === '/api/projects/1/actions/')).toBe(true);
	});

	test('a key without action:read: the list says which scope to add', async () => {
		await expectScopeMessage('searchActions', 'readOnly', 'action:read', 'actions');
	});
});

describe('Event name fields', () => {
	test('search and paging over PostHog\'s event definitions, the name as value', async () => {
		const sandbox = getSandbox();
		const found = await runListSearch('searchEventNames', sandboxCredentials(sandbox), 'sign');
		expect(call(sandbox)).toEqual({ path: '/api/projects/1/event_definitions/', query: { limit: '50', offset: '0', search: 'sign' } });
		expect(found.results.map((entry) => entry.value)).toEqual(['signed_up']);
		const pages = await allPages('searchEventNames', sandbox, 'feature_used');
		expect(pages.map((page) => page.results.length)).toEqual([50, 10]);
		expect(pages[1].results.every((entry) => String(entry.value).startsWith('feature_used_'))).toBe(true);
	});

	test('a key without event_definition:read: the list says which scope to add', async () => {
		await expectScopeMessage('searchEventNames', 'readOnly', 'event_definition:read', 'events');
	});
});

describe('Property name fields', () => {
	test('person properties (filters, Set Property, Delete Properties, Get Property Values): search and paging', async () => {
		const sandbox = getSandbox();
		const found = await runListSearch('searchPersonPropertyNames', sandboxCredentials(sandbox), 'mail');
		expect(call(sandbox)).toEqual({ path: '/api/projects/1/property_definitions/', query: { type: 'person', limit: '50', offset: '0', search: 'mail' } });
		expect(found.results).toEqual([{ name: 'email', value: 'email', description: 'String' }]);
		const pages = await allPages('searchPersonPropertyNames', sandbox, 'trait_');
		expect(pages.map((page) => page.results.length)).toEqual([50, 10]);
	});

	test('event properties (correlation): type=event', async () => {
		const sandbox = getSandbox();
		const found = await runListSearch('searchEventPropertyNames', sandboxCredentials(sandbox), 'plan_');
		expect(call(sandbox).query).toEqual({ type: 'event', limit: '50', offset: '0', search: 'plan_' });
		expect(found.results.map((entry) => entry.value)).toEqual(['plan_viewed']);
	});

	test('filters and breakdowns: event or person properties after the Type of the same row', async () => {
		const sandbox = getSandbox();
		const filterRow = (type: string): ListSearchPanel => ({
			parameters: { resource: 'insight', operation: 'getTrendsPersons', insightSource: 'defined', insightSettings: { propertyFilters: { filter: [{ type, key: '', operator: 'exact', value: '' }] } } },
			path: 'parameters.insightSettings.propertyFilters.filter[0].key',
		});
		const person = await runListSearch('searchPropertyNames', sandboxCredentials(sandbox), 'country', undefined, filterRow('person'));
		const event = await runListSearch('searchPropertyNames', sandboxCredentials(sandbox), 'browser', undefined, filterRow('event'));
		const breakdown = await runListSearch('searchPropertyNames', sandboxCredentials(sandbox), 'plan', undefined, {
			parameters: { resource: 'insight', operation: 'getTrendsPersons', insightSource: 'defined', breakdownType: 'person' },
			path: 'parameters.breakdownProperty',
		});
		expect(sandbox.requests.map((request) => request.query.type)).toEqual(['person', 'event', 'person']);
		expect(person.results.map((entry) => entry.value)).toEqual(['country']);
		expect(event.results.map((entry) => entry.value)).toEqual(['$browser']);
		expect(breakdown.results.map((entry) => entry.value)).toEqual(['plan']);
	});

	test('a key without property_definition:read: the list says which scope to add', async () => {
		await expectScopeMessage('searchPersonPropertyNames', 'readOnly', 'property_definition:read', 'person properties');
	});
});

describe('what is picked reaches PostHog (fields read with extractValue, old plain values too)', () => {
	const rl = (mode: string, value: string) => ({ __rl: true, mode, value });

	test('Person by URL: /person/<distinct ID> resolves the distinct ID, /persons/<UUID> is used as is', async () => {
		const sandbox = getSandbox();
		const target = [...sandbox.store.personsByUuid.values()].find((person) => person.distinctIds.some((id) => id.includes('@')))!;
		const distinctId = target.distinctIds.find((id) => id.includes('@')) as string;
		const byUrl = await runAgainst(sandbox, {
			resource: 'person',
			operation: 'get',
			person: rl('url', `${sandbox.url}/project/1/person/${encodeURIComponent(distinctId)}#activeTab=properties`),
		});
		expect(byUrl.error).toBeUndefined();
		expect(sandbox.requests.map((request) => [request.path, request.body ?? null])).toEqual([
			['/api/projects/1/persons/batch_by_distinct_ids/', { distinct_ids: [distinctId] }],
			[`/api/projects/1/persons/${target.uuid}/`, null],
		]);
		expect(byUrl.items[0].json.uuid).toBe(target.uuid);
		sandbox.clearRequests();
		const byUuidUrl = await runAgainst(sandbox, { resource: 'person', operation: 'get', person: rl('url', `${sandbox.url}/project/1/persons/${target.uuid}`) });
		expect(byUuidUrl.items[0].json.uuid).toBe(target.uuid);
		expect(sandbox.requests.map((request) => request.path)).toEqual([`/api/projects/1/persons/${target.uuid}/`]);
		sandbox.clearRequests();
		await runAgainst(sandbox, {
			resource: 'person',
			operation: 'getPropertiesAtTime',
			person: rl('url', `${sandbox.url}/project/1/person/${encodeURIComponent(distinctId)}`),
			timestamp: '2024-03-01T00:00:00Z',
		});
		expect(sandbox.requests.map((request) => request.query)).toEqual([{ timestamp: '2024-03-01T00:00:00Z', distinct_id: distinctId }]);
	});

	test('Get Many: the cohort picked from the list, by URL, or an old plain number', async () => {
		const sandbox = getSandbox();
		const cohortFilter = (value: unknown) => ({ resource: 'person', operation: 'getAll', returnAll: true, filters: { cohortId: value } });
		for (const value of [rl('list', '2'), rl('url', `${sandbox.url}/project/1/cohorts/2`), rl('id', '2'), 2]) {
			sandbox.clearRequests();
			const { items, error } = await runAgainst(sandbox, cohortFilter(value));
			expect(error).toBeUndefined();
			// Get Many lists through the Query API: the cohort is a filter of the ActorsQuery
			expect((sandbox.requests[0].body as { query: { properties: unknown } }).query.properties).toEqual([{ key: 'id', value: 2, type: 'cohort', operator: 'in' }]);
			expect(items.map((item) => item.json.uuid).sort()).toEqual([...sandbox.store.cohortMembers(2)].sort());
		}
	});

	test('Get Many: the cohort by URL is read by the node (n8n\'s regex exec, limited to 250 ms in n8n 2.x and 1.123, is not used)', async () => {
		const sandbox = getSandbox();
		const timedOut = () => {
			throw new Error('Regular expression execution timed out');
		};
		const native = (pattern: string, input: string, flags?: string) => new RegExp(pattern, flags).test(input);
		setSafeRegexEngine({ exec: timedOut, test: native, replace: timedOut, matchAll: timedOut, split: timedOut });
		try {
			for (const url of [`${sandbox.url}/project/1/cohorts/2`, `${sandbox.url}/project/1/cohorts/2/edit?tab=persons#x`]) {
				sandbox.clearRequests();
				const { items, error } = await runAgainst(sandbox, { resource: 'person', operation: 'getAll', returnAll: true, filters: { cohortId: rl('url', url) } });
				expect(error).toBeUndefined();
				expect((sandbox.requests[0].body as { query: { properties: unknown } }).query.properties).toEqual([{ key: 'id', value: 2, type: 'cohort', operator: 'in' }]);
				expect(items.map((item) => item.json.uuid).sort()).toEqual([...sandbox.store.cohortMembers(2)].sort());
			}
		} finally {
			resetSafeRegexEngine();
		}
	});

	test.each([
		['a name', { __rl: true, mode: 'id', value: 'Paying users' }, '"Paying users" is not a cohort ID or the address of a cohort'],
		['digits followed by letters in a URL', { __rl: true, mode: 'url', value: 'https://us.posthog.com/project/1/cohorts/42abc' }, '"https://us.posthog.com/project/1/cohorts/42abc" is not a cohort ID'],
		['an address of something else', { __rl: true, mode: 'url', value: 'https://us.posthog.com/project/1/insights/42' }, 'is not a cohort ID'],
		['an old plain value that is no number', 'abc', '"abc" is not a cohort ID'],
	])('Get Many: a Cohort that is %s is an error naming it, and nothing is asked of PostHog', async (_what, value, message) => {
		const sandbox = getSandbox();
		const { error } = await runAgainst(sandbox, { resource: 'person', operation: 'getAll', returnAll: true, filters: { cohortId: value } });
		expect(error?.message).toContain(message);
		expect(sandbox.requests).toEqual([]);
	});

	test('Get Many: an empty Cohort filters nothing (as before)', async () => {
		const sandbox = getSandbox();
		const { items, error } = await runAgainst(sandbox, { resource: 'person', operation: 'getAll', returnAll: true, filters: { cohortId: rl('list', '') } });
		expect(error).toBeUndefined();
		expect((sandbox.requests[0].body as { query: { properties?: unknown } }).query.properties ?? []).toEqual([]);
		expect(items).toHaveLength(sandbox.store.personsByUuid.size);
	});

	test('Get Property Values, Set Property and Delete Properties: the property name from the list or typed', async () => {
		const sandbox = getSandbox();
		const values = await runAgainst(sandbox, { resource: 'person', operation: 'getPropertyValues', propertyKey: rl('list', 'plan') });
		expect(sandbox.requests[0].query).toEqual({ key: 'plan' });
		expect(values.items.map((item) => item.json.name).sort()).toEqual(['enterprise', 'free', 'pro']);

		const target = [...sandbox.store.personsByUuid.values()].find((person) => person.isIdentified && person.properties.plan === 'free')!;
		sandbox.clearRequests();
		await runAgainst(sandbox, {
			resource: 'person',
			operation: 'setProperty',
			person: rl('id', target.uuid),
			propertyKey: rl('list', 'plan'),
			valueType: 'string',
			stringValue: 'pro',
		});
		expect(sandbox.requests.at(-1)?.body).toEqual({ key: 'plan', value: 'pro' });

		sandbox.clearRequests();
		await runAgainst(sandbox, { resource: 'person', operation: 'deleteProperties', person: rl('id', target.uuid), propertyKeys: rl('name', 'trait_01, trait_02') });
		expect(sandbox.requests.at(-1)?.body).toEqual({ $unset: ['trait_01', 'trait_02'] });
		sandbox.clearRequests();
		await runAgainst(sandbox, { resource: 'person', operation: 'deleteProperties', person: rl('id', target.uuid), propertyKeys: 'country' });
		expect(sandbox.requests.at(-1)?.body).toEqual({ $unset: 'country' });
	});
});
