import type { INodeProperties } from 'n8n-workflow';

/** Output choice of every read operation: items, or a CSV file as binary data. */
export const outputProperties: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'Items',
				value: 'items',
				description: 'One output item per record',
			},
			{
				name: 'CSV File',
				value: 'csv',
				description:
					'One output item per input item, holding the records as a CSV file (binary data; nested fields flattened to dotted columns like PostHog exports)',
			},
		],
		default: 'items',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the CSV file in',
		displayOptions: { show: { output: ['csv'] } },
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'e.g. persons-export.csv',
		description: 'Name of the CSV file. Leave empty for a name with the operation and a timestamp.',
		displayOptions: { show: { output: ['csv'] } },
	},
];

export const returnAllOrLimit: INodeProperties[] = [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { returnAll: [false] } },
		},
	];
