/** Helpers of the export tests: the sandbox's persons in PostHog's list order, hints, CSV files. */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { Sandbox, SandboxPerson } from '../../sandbox';
import type { RunResult } from '../harness/engine';
import { binaryText } from '../harness/engine';
import { parseCsv } from '../helpers/csv';

/** created_at DESC, then UUID DESC: the order PostHog lists persons in, computed here. */
export function listOrder(persons: Iterable<SandboxPerson>): string[] {
	return [...persons]
		.sort((a, b) => b.createdAt - a.createdAt || (b.uuid > a.uuid ? 1 : b.uuid < a.uuid ? -1 : 0))
		.map((p) => p.uuid);
}

export function allPersons(sandbox: Sandbox): SandboxPerson[] {
	return [...sandbox.store.personsByUuid.values()];
}

/** Execution hints (notices) the node added in its last run. */
export function hintsOf(result: RunResult, nodeName = 'PostHog Persons'): Array<{ message: string; type?: string }> {
	const runs = result.run.data.resultData.runData[nodeName] ?? [];
	return ((runs[runs.length - 1] as unknown as { hints?: Array<{ message: string; type?: string }> })?.hints ?? []);
}

/** The CSV file of a file item: header and rows keyed by column. */
export function csvOf(item: INodeExecutionData, field = 'data') {
	return parseCsv(binaryText(item, field));
}

/** Each value counted: ids that are missing (`lost`) or appear more than once (`doubled`). */
export function lostAndDoubled(expected: string[], got: string[]) {
	const counts = new Map<string, number>();
	for (const id of got) counts.set(id, (counts.get(id) ?? 0) + 1);
	return {
		lost: expected.filter((id) => !counts.has(id)),
		doubled: [...counts.entries()].filter(([, count]) => count > 1).map(([id]) => id),
		extra: got.filter((id) => !expected.includes(id)),
	};
}

export const uuidsOf = (items: INodeExecutionData[]) => items.map((item) => String((item.json as IDataObject).uuid ?? item.json.id));
