import type { INodeProperties } from 'n8n-workflow';

/** Fields shared by Bulk Delete and Delete. */

/** The warning above an operation that cannot be undone. */
export function irreversibleNotice(name: string, what = 'deletion'): INodeProperties {
	const text =
		what === 'split'
			? 'A split cannot be undone by the node: the distinct IDs that move off become persons of their own. PostHog runs the split asynchronously.'
			: 'Deleting persons cannot be undone. PostHog removes the person records at once (or queues them, on PostHog Cloud); events and recordings are deleted later in off-peak batches (weekly on PostHog Cloud). Try Dry Run first; check the result with Verify Deletion.';
	return { displayName: text, name, type: 'notice', default: '' };
}

export function deletionFlagProperties(what: 'persons' | 'person'): INodeProperties[] {
	const whose = what === 'persons' ? "persons'" : "person's";
	return [
		{
			displayName: 'Delete Events',
			name: 'deleteEvents',
			type: 'boolean',
			default: false,
			description: `Whether to also delete the ${whose} events (PostHog queues this and runs it in off-peak batches; only events captured before the request)`,
		},
		{
			displayName: 'Delete Recordings',
			name: 'deleteRecordings',
			type: 'boolean',
			default: false,
			description: `Whether to also delete the ${whose} session recordings (queued by PostHog)`,
		},
		{
			displayName: 'Keep Person',
			name: 'keepPerson',
			type: 'boolean',
			default: false,
			description: `Whether to keep the person record${what === 'persons' ? 's' : ''} and delete only events and/or recordings (needs Delete Events or Delete Recordings)`,
		},
	];
}

export const dryRunOption: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description:
		'Whether to only look the persons up and output what would be deleted (person UUID, distinct IDs, email and name), without deleting anything',
};
