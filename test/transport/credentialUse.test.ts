/**
 * How the node uses n8n's credential: n8n decrypts it once per execution, not once per request,
 * authenticating a request runs no expression, and fetching it never runs n8n's time-limited
 * regex engine. n8n (2.x, 1.123) evaluates every field's
 * display conditions when a node fetches a credential and runs a `_cnd.regex` condition in a VM
 * context limited to 250 ms; on a loaded queue-mode worker that limit was reached and a bulk
 * deletion's look-up of 200 IDs failed ("Regular expression execution timed out").
 */
import { WorkflowExpression, resetSafeRegexEngine, setSafeRegexEngine, type IDataObject } from 'n8n-workflow';

import { credentialUse, runNode } from '../harness/engine';
import { runAgainst, sandboxCredentials, useSandbox } from '../helpers/sandbox';
import { jsonOf } from '../person/util';

const getSandbox = useSandbox({ persons: 1000, eventsPerPerson: 0 });

/** Persons still in the sandbox (tests delete them). */
const bulkDelete = (count: number) => {
	const persons = [...getSandbox().store.personsByUuid.values()].slice(0, count);
	if (persons.length < count) throw new Error('not enough persons left');
	return {
		input: persons.map((person) => ({ id: person.uuid })),
		uuids: persons.map((person) => person.uuid),
	};
};

const parameters = {
	resource: 'person',
	operation: 'bulkDelete',
	deleteBy: 'ids',
	idsFrom: 'field',
	idField: 'id',
	requestOptions: { rateLimits: 'none', retryDelayMs: 1, concurrency: 4 },
};

const requestsOf = (path: string) => getSandbox().requests.filter((entry) => entry.path.includes(path)).length;

afterEach(() => {
	resetSafeRegexEngine();
	jest.restoreAllMocks();
});

it('n8n decrypts the credential once per execution, however many requests it makes', async () => {
	const { input, uuids } = bulkDelete(300);
	const before = { decryptions: credentialUse.decryptions };
	getSandbox().clearRequests();
	const result = await runAgainst(getSandbox(), parameters, { input });
	expect(result.error).toBeUndefined();
	expect(jsonOf(result.items).map((json) => json.outcome)).toEqual(uuids.map(() => 'deleted'));
	// 2 look-ups of up to 200 UUIDs, then bulk_delete
	expect(requestsOf('batch_by_uuids')).toBe(2);
	expect(requestsOf('bulk_delete')).toBeGreaterThanOrEqual(1);
	expect(getSandbox().requests.length).toBeGreaterThanOrEqual(3);
	expect(credentialUse.decryptions - before.decryptions).toBe(1);
});

it('a regex time-out in n8n fails no request: fetching the credential runs no regex', async () => {
	const timedOut = () => {
		throw new Error('Regular expression execution timed out');
	};
	setSafeRegexEngine({ exec: timedOut, test: timedOut, replace: timedOut, matchAll: timedOut, split: timedOut });
	const { input, uuids } = bulkDelete(300);
	const result = await runAgainst(getSandbox(), parameters, { input });
	expect(result.error).toBeUndefined();
	expect(jsonOf(result.items).map((json) => [json.id, json.outcome])).toEqual(uuids.map((uuid) => [uuid, 'deleted']));
	for (const uuid of uuids) expect(getSandbox().store.getPerson(uuid)).toBeUndefined();
});

it('authenticating a request resolves no expression, and the key is sent as the node checked it (trimmed)', async () => {
	// n8n resolves a generic `authenticate` block (`=Bearer {{$credentials.apiKey}}`) with its
	// expression engine on every request; the credential's function sets the header itself
	const resolve = jest.spyOn(WorkflowExpression.prototype, 'getSimpleParameterValue');
	const { input, uuids } = bulkDelete(300);
	const credentials = sandboxCredentials(getSandbox());
	getSandbox().clearRequests();
	const result = await runNode({ parameters, credentials: { ...credentials, apiKey: `  ${String(credentials.apiKey)}\t` }, input });
	expect(result.error).toBeUndefined();
	expect(jsonOf(result.items).map((json) => json.outcome)).toEqual(uuids.map(() => 'deleted'));
	const requests = getSandbox().requests;
	expect(requests.length).toBeGreaterThanOrEqual(3);
	expect(new Set(requests.map((entry) => entry.authorization))).toEqual(new Set([`Bearer ${String(credentials.apiKey)}`]));
	const withCredentials = resolve.mock.calls.filter((call) => (call[3] as IDataObject | undefined)?.$credentials !== undefined);
	expect(withCredentials).toHaveLength(0);
});
