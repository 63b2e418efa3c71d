/**
 * Helpers shared by the Person operation tests (engine-level, against the sandbox).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { SandboxPerson } from '../../sandbox/store';
import type { Sandbox } from '../helpers/sandbox';
import type { RunResult } from '../harness/engine';

type KeyName = keyof Sandbox['keys'];

/** Resource-locator values of the Person field. */
export const byId = (value: string | number) => ({ __rl: true, mode: 'id', value: String(value) });
export const byDistinctId = (value: string) => ({ __rl: true, mode: 'distinctId', value });
export const fromList = (value: string) => ({ __rl: true, mode: 'list', value });

/** Node parameters of a Person operation. */
export function person(operation: string, parameters: IDataObject = {}): IDataObject {
	return { resource: 'person', operation, ...parameters };
}

/** API path of the sandbox project, e.g. `/api/projects/1/persons/`. */
export function apiPath(sandbox: Sandbox, rest: string): string {
	return `/api/projects/${sandbox.projectId}/${rest}`;
}

/**
 * Hands out seeded persons that no earlier test of the file took (tests write to them), in id
 * order, optionally matching a predicate.
 */
export function personPicker(getSandbox: () => Sandbox) {
	const used = new Set<string>();
	return (predicate: (p: SandboxPerson) => boolean = () => true): SandboxPerson => {
		const candidates = [...getSandbox().store.persons].sort((a, b) => a.id - b.id);
		const found = candidates.find((p) => !used.has(p.uuid) && p.distinctIds.length > 0 && predicate(p));
		if (!found) throw new Error('no unused seeded person matches');
		used.add(found.uuid);
		return found;
	};
}

/** Every logged request carried `Authorization: Bearer <key>` of the given sandbox key. */
export function expectBearer(sandbox: Sandbox, key: KeyName = 'all') {
	expect(sandbox.requests.length).toBeGreaterThan(0);
	for (const entry of sandbox.requests) {
		expect(entry.authorization).toBe(`Bearer ${sandbox.keys[key]}`);
		expect(entry.keyName).toBe(key);
	}
}

/** The node failed with a NodeOperationError for the given item, before anything was sent. */
export function expectInputError(sandbox: Sandbox, result: RunResult, message: RegExp, itemIndex: number) {
	expect(result.error).toBeDefined();
	expect(result.error?.name).toBe('NodeOperationError');
	expect(result.error?.message).toMatch(message);
	expect(result.error?.context?.itemIndex).toBe(itemIndex);
	expect(sandbox.requests).toEqual([]);
}

export function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}

export function pairedIndexes(items: INodeExecutionData[]): number[] {
	return items.map((item) => {
		const paired = item.pairedItem;
		if (paired === undefined || Array.isArray(paired) || typeof paired === 'number') {
			throw new Error(`unexpected pairedItem ${JSON.stringify(paired)}`);
		}
		return paired.item;
	});
}

export { parseCsv } from '../helpers/csv';
