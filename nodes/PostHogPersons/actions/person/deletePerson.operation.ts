import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { forEachItem, recordItems } from '../../helpers/items';
import { resolvePersonId } from '../../helpers/person';
import { apiRequest, parsePostHogError, postHogApiError } from '../../transport';
import { personLocator } from '../descriptions/personLocator';

const properties: INodeProperties[] = [
	personLocator,
	{
		displayName: 'Delete Events',
		name: 'deleteEvents',
		type: 'boolean',
		default: false,
		description:
			"Whether to also delete the person's events (PostHog queues this and runs it in off-peak batches; only events captured before the request)",
	},
	{
		displayName: 'Delete Recordings',
		name: 'deleteRecordings',
		type: 'boolean',
		default: false,
		description: "Whether to also delete the person's session recordings (queued by PostHog)",
	},
	{
		displayName: 'Keep Person',
		name: 'keepPerson',
		type: 'boolean',
		default: false,
		description:
			'Whether to keep the person record and delete only its events and/or recordings (needs Delete Events or Delete Recordings)',
	},
];

const displayOptions = { show: { resource: ['person'], operation: ['deletePerson'] } };

export const description = updateDisplayOptions(displayOptions, properties);

interface DeleteFlags {
	deleteEvents: boolean;
	deleteRecordings: boolean;
	keepPerson: boolean;
}

function readFlags(ctx: IExecuteFunctions, itemIndex: number): DeleteFlags {
	const flags: DeleteFlags = {
		deleteEvents: ctx.getNodeParameter('deleteEvents', itemIndex, false) === true,
		deleteRecordings: ctx.getNodeParameter('deleteRecordings', itemIndex, false) === true,
		keepPerson: ctx.getNodeParameter('keepPerson', itemIndex, false) === true,
	};
	if (flags.keepPerson && !flags.deleteEvents && !flags.deleteRecordings) {
		throw new NodeOperationError(ctx.getNode(), '"Keep Person" without "Delete Events" or "Delete Recordings" deletes nothing', {
			itemIndex,
			description: 'Turn on Delete Events and/or Delete Recordings, or turn off Keep Person to delete the person.',
		});
	}
	return flags;
}

/**
 * PostHog checks these flags by presence (`"delete_events" in request.GET`), so even
 * `delete_events=false` would delete events: only flags that are on go into the query string.
 */
export function presenceFlags(flags: DeleteFlags): IDataObject {
	const qs: IDataObject = {};
	if (flags.deleteEvents) qs.delete_events = 'true';
	if (flags.deleteRecordings) qs.delete_recordings = 'true';
	if (flags.keepPerson) qs.keep_person = 'true';
	return qs;
}

/** Clear errors for the two answers a single delete commonly gets besides 202. */
function deleteError(ctx: IExecuteFunctions, statusCode: number, body: unknown, personId: string, itemIndex: number) {
	const info = parsePostHogError(body, statusCode);
	const code = info.code ? ` ${info.code}` : '';
	const notFound = statusCode === 404;
	if (notFound && /project/i.test(info.detail)) {
		// the project, not the person, is missing: the transport's error says how to fix the credential
		return postHogApiError(ctx.getNode(), { statusCode, body, method: 'DELETE', path: `persons/${personId}/`, itemIndex });
	}
	return new NodeApiError(
		ctx.getNode(),
		{ message: info.detail, httpCode: String(statusCode), code: info.code ?? null },
		{
			message: notFound
				? `No person with the ID "${personId}" in this project (PostHog 404${code}: ${info.detail})`
				: `PostHog could not delete the person "${personId}" (PostHog ${statusCode}${code}: ${info.detail})`,
			description: notFound
				? 'The person may have been deleted already, or belong to another project. Check the Person field and the Project ID of the credential.'
				: 'PostHog reported that the deletion failed, so the person may still exist. A single delete is not repeated automatically; run it again later, or use Bulk Delete (which reports per-person errors).',
			httpCode: String(statusCode),
			itemIndex,
		},
	);
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem.call(this, items, async (itemIndex) => {
		const flags = readFlags(this, itemIndex);
		const personId = await resolvePersonId.call(this, itemIndex);
		const response = await apiRequest.call(this, {
			method: 'DELETE',
			endpoint: `persons/${encodeURIComponent(personId)}/`,
			qs: presenceFlags(flags),
			requestClass: 'personsDelete',
			idempotent: false,
			itemIndex,
			acceptStatus: [404, 503],
		});
		if (response.statusCode === 404 || response.statusCode === 503) {
			throw deleteError(this, response.statusCode, response.text ?? response.body, personId, itemIndex);
		}
		const notes: string[] = [];
		if (flags.deleteEvents) notes.push('events are queued for deletion and removed in off-peak batches');
		if (flags.deleteRecordings) notes.push('recordings are queued for deletion');
		return recordItems(
			{
				id: personId,
				deleted: !flags.keepPerson,
				statusCode: response.statusCode,
				deleteEvents: flags.deleteEvents,
				deleteRecordings: flags.deleteRecordings,
				keepPerson: flags.keepPerson,
				...(notes.length > 0 ? { note: `PostHog accepted the request; ${notes.join(', ')}` } : {}),
			},
			itemIndex,
		);
	});
}
