import type { INodeProperties } from 'n8n-workflow';

/**
 * Where an operation that takes many IDs reads them: a field of each input item (no expression
 * per item, fastest for large inputs) or the operation's IDs parameter (text or expression).
 * The operation's own `ids` parameter is shown for `idsFrom: ['parameter']`.
 */
export const idSourceProperties: INodeProperties[] = [
	{
		displayName: 'IDs From',
		name: 'idsFrom',
		type: 'options',
		options: [
			{
				name: 'Field of Each Input Item',
				value: 'field',
				description: 'Read the IDs from a field of every input item (fastest for thousands of items)',
			},
			{
				name: 'IDs Parameter',
				value: 'parameter',
				description: 'Type the IDs, or build them with an expression',
			},
		],
		default: 'parameter',
	},
	{
		displayName: 'Input Field',
		name: 'idField',
		type: 'string',
		default: 'distinct_id',
		required: true,
		placeholder: 'e.g. email or user.distinctId',
		description:
			'Name of the field holding the ID, or a list or comma/line-separated text of IDs (dots reach into nested objects)',
		displayOptions: { show: { idsFrom: ['field'] } },
	},
];
