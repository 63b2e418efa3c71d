import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { IdKind } from '../../helpers/ids';
import { idKey, readIdKind, readItemIds } from '../../helpers/ids';
import { addLookupKey, lookUpAll, lookupKeys, type LookupResult } from '../../helpers/person';
import type { Outcome, ReceiptJson } from '../../helpers/receipts';
import { emitReceipts, readEveryItem } from '../../helpers/receipts';
import { isUuid, valueAtPath } from '../../helpers/validation';
import { eventDeletions, type EventDeletions } from '../../helpers/verification';
import { idListProperty, idSourceProperties } from '../descriptions/idSource';

const properties: INodeProperties[] = [
	{
		displayName: 'Verify By',
		name: 'verifyBy',
		type: 'options',
		options: [
			{
				name: 'Distinct IDs',
				value: 'distinct_ids',
				description: 'The IDs your app sends to PostHog: does any person still have them?',
			},
			{
				name: 'Person UUIDs',
				value: 'uuids',
				description: 'PostHog person UUIDs (as in the receipts of Bulk Delete and Delete): does the person still exist?',
			},
		],
		default: 'distinct_ids',
	},
	...idSourceProperties,
	idListProperty('IDs whose deletion to verify. Every ID gets one output item.'),
	{
		displayName: 'Person UUID Field',
		name: 'personUuidField',
		type: 'string',
		default: 'personUuid',
		placeholder: 'e.g. personUuid',
		description:
			'Field of the input item with the UUID of the deleted person (the receipts of Bulk Delete and Delete have it as personUuid). With it, the node also checks that this person is gone and how far the deletion of its events is; a deleted person can no longer be found by its distinct ID. Used when the item has one distinct ID; leave empty if you do not have it.',
		displayOptions: { show: { verifyBy: ['distinct_ids'], idsFrom: ['field'] } },
	},
];

const displayOptions = { show: { resource: ['person'], operation: ['verifyDeletion'] } };

export const description = updateDisplayOptions(displayOptions, properties);

interface VerifyRequest {
	kind: IdKind;
	ids: string[];
	/** UUID of the deleted person from the item (distinct-ID mode, one ID per item). */
	personUuid?: string;
}

function readRequest(ctx: IExecuteFunctions, itemIndex: number): VerifyRequest {
	const kind = readIdKind(ctx, itemIndex, 'verifyBy', 'Verify By');
	const ids = readItemIds(ctx, itemIndex, { kind, purpose: 'verify' });
	const request: VerifyRequest = { kind, ids };
	const fromField = ctx.getNodeParameter('idsFrom', itemIndex, 'parameter') === 'field';
	const field = kind === 'distinctId' && fromField ? String(ctx.getNodeParameter('personUuidField', itemIndex, '') ?? '').trim() : '';
	if (field !== '' && ids.length === 1) {
		const value = valueAtPath(ctx.getInputData()[itemIndex]?.json ?? {}, field);
		if (value !== undefined && value !== null && value !== '') {
			if (typeof value !== 'string' || !isUuid(value)) {
				throw new NodeOperationError(ctx.getNode(), `The field "${field}" does not hold a person UUID`, {
					itemIndex,
					description: 'Person UUIDs look like 0190a6c1-2f4e-7d3a-9b1c-5e8f0a2b3c4d. Fix Person UUID Field, or leave it empty.',
				});
			}
			request.personUuid = value.toLowerCase();
		}
	}
	return request;
}

interface Checks {
	lookups: Record<IdKind, LookupResult>;
	deletions: EventDeletions;
	checkedAt: string;
}

function verificationReceipt(request: VerifyRequest, id: string, checks: Checks): { json: ReceiptJson; cause?: Error } {
	const json: ReceiptJson = { id, idType: request.kind === 'uuid' ? 'person_uuid' : 'distinct_id', outcome: 'deleted' };
	const problems: string[] = [];
	let cause: Error | undefined;
	const problem = (what: string, error: Error) => {
		problems.push(`${what} failed: ${error.message}`);
		cause = cause ?? error;
	};
	let personUuid = request.kind === 'uuid' ? id.toLowerCase() : request.personUuid;
	let resolvesTo: IDataObject | undefined;
	if (request.kind === 'distinctId') {
		const key = idKey('distinctId', id);
		resolvesTo = checks.lookups.distinctId.found.get(key);
		const failure = checks.lookups.distinctId.failed.get(key);
		if (failure) problem('Looking up the distinct ID', failure);
		json.distinctIdResolves = failure ? null : resolvesTo !== undefined;
		if (resolvesTo && personUuid && String(resolvesTo.uuid).toLowerCase() !== personUuid) {
			json.distinctIdPersonUuid = String(resolvesTo.uuid).toLowerCase();
		}
		personUuid = personUuid ?? (resolvesTo ? String(resolvesTo.uuid).toLowerCase() : undefined);
	}
	json.personUuid = personUuid ?? null;
	let person: IDataObject | undefined;
	if (personUuid && !(request.kind === 'distinctId' && !request.personUuid)) {
		person = checks.lookups.uuid.found.get(personUuid);
		const failure = checks.lookups.uuid.failed.get(personUuid);
		if (failure) problem('Looking up the person', failure);
		json.personExists = failure ? null : person !== undefined;
	} else {
		person = resolvesTo;
		json.personExists = json.distinctIdResolves === null ? null : resolvesTo !== undefined;
	}
	if (person && Array.isArray(person.distinct_ids)) json.distinctIds = [...(person.distinct_ids as string[])];
	const deletion = personUuid ? checks.deletions.rows.get(personUuid) : undefined;
	const deletionFailure = personUuid ? checks.deletions.failed.get(personUuid) : undefined;
	if (deletionFailure) problem('Reading the event deletion status', deletionFailure);
	json.eventDeletion = !personUuid || deletionFailure ? 'unknown' : (deletion?.status ?? 'none');
	json.eventDeletionRequestedAt = deletion?.requestedAt ?? null;
	json.eventDeletionCompletedAt = deletion?.completedAt ?? null;
	json.checkedAt = checks.checkedAt;

	let outcome: Outcome;
	if (problems.length > 0) outcome = 'unknown';
	else if (json.personExists === true || json.distinctIdResolves === true) outcome = 'exists';
	else outcome = deletion?.status === 'pending' ? 'deleted_events_pending' : 'deleted';
	json.outcome = outcome;
	if (problems.length > 0) json.reason = problems.join('; ');
	else if (!personUuid) {
		json.reason = 'No person has this distinct ID. Without the person UUID (Person UUID Field) the deletion of its events cannot be checked.';
	} else if (json.distinctIdPersonUuid) {
		json.reason = 'The distinct ID now belongs to another person (it was used again after the deletion)';
	}
	return { json, cause };
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const read = readEveryItem(this, items.length, (itemIndex) => readRequest(this, itemIndex));
	const keys = lookupKeys();
	for (const [itemIndex, request] of read.requests) {
		for (const id of request.ids) addLookupKey(keys, request.kind, idKey(request.kind, id), itemIndex);
		if (request.personUuid) addLookupKey(keys, 'uuid', request.personUuid, itemIndex);
	}
	const lookups = await lookUpAll(this, keys);
	const uuids = new Set(keys.uuid.keys());
	for (const person of lookups.distinctId.found.values()) uuids.add(String(person.uuid).toLowerCase());
	const checks: Checks = { lookups, deletions: await eventDeletions(this, [...uuids]), checkedAt: new Date().toISOString() };
	return emitReceipts(
		this,
		items.length,
		read,
		(request) => request.ids.map((id) => verificationReceipt(request, id, checks)),
		{ item: 'Verification', run: 'Verify deletion' },
	);
}
