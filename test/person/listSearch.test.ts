import { runListSearch } from '../harness/engine';
import { expectNoSecret, sandboxCredentials, useSandbox } from '../helpers/sandbox';

const getSandbox = useSandbox({ persons: 300 });

describe('Person field → From List (list search in the editor)', () => {
	test('searches persons by email fragment, one entry per person with its UUID as value', async () => {
		const sandbox = getSandbox();
		const withEmail = [...sandbox.store.personsByUuid.values()].find((person) => typeof person.properties.email === 'string')!;
		const fragment = String(withEmail.properties.email).split('@')[0];
		const result = await runListSearch('searchPersons', sandboxCredentials(sandbox), fragment);
		expect(sandbox.requests).toHaveLength(1);
		expect(sandbox.requests[0].path).toBe(`/api/projects/${sandbox.projectId}/persons/`);
		expect(sandbox.requests[0].query).toEqual({ limit: '50', offset: '0', search: fragment });
		expect(sandbox.requests[0].authorization).toBe(`Bearer ${sandbox.keys.all}`);
		expect(result.results.map((entry) => entry.value)).toContain(withEmail.uuid);
		const entry = result.results.find((candidate) => candidate.value === withEmail.uuid)!;
		expect(entry.name).toContain(withEmail.distinctIds[0]);
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
