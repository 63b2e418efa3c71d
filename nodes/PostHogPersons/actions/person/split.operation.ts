import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { readItemIds } from '../../helpers/ids';
import { recordItems } from '../../helpers/items';
import { runPerItem } from '../../helpers/perItem';
import { requiredText } from '../../helpers/validation';
import { apiRequest } from '../../transport';
import { irreversibleNotice } from '../descriptions/deletion';
import { personLocator } from '../descriptions/personLocator';

type SplitMode = 'all' | 'keepOne' | 'selected';

const properties: INodeProperties[] = [
	irreversibleNotice('splitNotice', 'split'),
	personLocator,
	{
		displayName: 'Split Mode',
		name: 'splitMode',
		type: 'options',
		options: [
			{
				name: 'All Distinct IDs',
				value: 'all',
				description:
					'The person keeps its first distinct ID; every other distinct ID becomes a person of its own',
			},
			{
				name: 'Keep One Distinct ID',
				value: 'keepOne',
				description: 'The person keeps the distinct ID you name; every other one becomes a person of its own',
			},
			{
				name: 'Move Selected Distinct IDs',
				value: 'selected',
				description: 'Only the distinct IDs you list move off, each to a person of its own; the rest stay',
			},
		],
		default: 'all',
		description:
			'Which distinct IDs leave the person. PostHog splits asynchronously; the new persons get UUIDs derived from their distinct IDs. This cannot be undone by the node.',
	},
	{
		displayName: 'Distinct ID to Keep',
		name: 'mainDistinctId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. user-42',
		description: 'The distinct ID that stays with the person (main_distinct_id)',
		displayOptions: { show: { splitMode: ['keepOne'] } },
	},
	{
		displayName: 'Distinct IDs to Move',
		name: 'distinctIdsToSplit',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		required: true,
		placeholder: 'e.g. anon-123, anon-456',
		description:
			'Distinct IDs of this person that move off (distinct_ids_to_split). Typed text: one per line, or separated by commas. An expression gives one distinct ID, used exactly as given, or a list. PostHog rejects IDs that are not on this person.',
		displayOptions: { show: { splitMode: ['selected'] } },
	},
];

const displayOptions = { show: { resource: ['person'], operation: ['split'] } };

export const description = updateDisplayOptions(displayOptions, properties);

function readBody(ctx: IExecuteFunctions, itemIndex: number): IDataObject {
	const node = ctx.getNode();
	const mode = ctx.getNodeParameter('splitMode', itemIndex, 'all') as SplitMode;
	if (mode === 'all') return {};
	if (mode === 'keepOne') {
		const main = requiredText(
			ctx,
			'mainDistinctId',
			itemIndex,
			'No distinct ID to keep given',
			'Fill in Distinct ID to Keep, or choose the Split Mode "All Distinct IDs".',
			{ exact: true },
		);
		return { main_distinct_id: main };
	}
	if (mode === 'selected') {
		const ids = readItemIds(ctx, itemIndex, {
			kind: 'distinctId',
			purpose: 'move off the person',
			noun: { plural: 'distinct IDs', singular: 'distinct ID' },
			parameter: 'distinctIdsToSplit',
			source: 'parameter',
		});
		return { distinct_ids_to_split: ids };
	}
	throw new NodeOperationError(node, `"${String(mode)}" is not a split mode`, {
		itemIndex,
		description: 'Set Split Mode to "All Distinct IDs", "Keep One Distinct ID" or "Move Selected Distinct IDs".',
	});
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await runPerItem(this, items, {
		read: (itemIndex) => readBody(this, itemIndex),
		personParameter: 'person',
		act: async (itemIndex, body, personId) => {
			const response = await apiRequest.call(this, {
				method: 'POST',
				endpoint: `persons/${encodeURIComponent(personId)}/split/`,
				body,
				requestClass: 'persons',
				idempotent: false,
				itemIndex,
			});
			const json: IDataObject = { id: personId, split: true, statusCode: response.statusCode };
			if (body.main_distinct_id !== undefined) json.mainDistinctId = body.main_distinct_id;
			if (body.distinct_ids_to_split !== undefined) json.distinctIdsToSplit = body.distinct_ids_to_split;
			json.note = 'PostHog accepted the split and runs it asynchronously; the new persons appear shortly';
			return recordItems(json, itemIndex);
		},
	});
}
