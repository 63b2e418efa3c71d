import type { INodeProperties } from 'n8n-workflow';

/**
 * Where an operation that takes many IDs reads them: a field of each input item (no expression
 * per item, fastest for large inputs) or the IDs field (typed list or expression). The
 * operation adds its own `ids` field with `idListProperty`.
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
				description:
					'Read the IDs from a field of every input item (fastest for thousands of items). Its value is one ID, or a list of IDs.',
			},
			{
				name: 'Typed Below or Expression',
				value: 'parameter',
				description: 'Type the IDs into the IDs field below, or build them with an expression',
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
		placeholder: 'e.g. distinct_id or user.distinctId',
		description:
			'Name of the field holding the ID, or a list of IDs (dots reach into nested objects). A text value is one ID, used exactly as given: it is never split at commas and never trimmed.',
		displayOptions: { show: { idsFrom: ['field'] } },
	},
];

/** The `ids` field, shown for "Typed Below or Expression"; `purpose` says what the IDs are for. */
export function idListProperty(purpose: string): INodeProperties {
	return {
		displayName: 'IDs',
		name: 'ids',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. user-42\nuser-43',
		description: `${purpose} Typed text: one ID per line, or IDs separated by commas (spaces around them are ignored). An expression gives one ID, used exactly as given (commas included), or a list of IDs.`,
		displayOptions: { show: { idsFrom: ['parameter'] } },
	};
}
