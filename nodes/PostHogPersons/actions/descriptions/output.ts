import type { INodeProperties } from 'n8n-workflow';

/** Default of CSV Options → Max Columns. */
export const DEFAULT_MAX_COLUMNS = 500;

/**
 * How every read operation returns its records: as items, or as one CSV file (binary data).
 * The parameter keeps its name `output` (saved workflows use it); it is shown as "Return As" so it
 * does not read like the "Output" choice n8n's AI tools have.
 */
export const outputProperties: INodeProperties[] = [
	{
		displayName: 'Return As',
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
					'One output item per input item, holding the records as a CSV file (binary data), written page by page',
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
	{
		displayName: 'CSV Options',
		name: 'csvOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { output: ['csv'] } },
		options: [
			{
				displayName: 'Columns',
				name: 'columns',
				type: 'string',
				default: '',
				placeholder: 'e.g. uuid, email, properties.plan, created_at',
				description:
					'Only these columns, in this order (separated by commas or new lines): fields such as uuid, distinct_ids, created_at; field.key for a key of an object field (properties.plan); or a bare property name (plan). Leave empty for automatic columns: one per field and per property, taken from the first page, with anything first seen later in the column other_fields.',
			},
			{
				displayName: 'Escape Formulas',
				name: 'escapeFormulas',
				type: 'boolean',
				default: true,
				description:
					"Whether to put a ' before text that starts with =, +, -, @, a tab or a carriage return, so spreadsheet apps show it as text instead of running it as a formula (anyone with the project's public token can set person properties). Numbers are not changed. Turn off when the file goes into a database or another program that must see the exact text.",
			},
			{
				displayName: 'Max Columns',
				name: 'maxColumns',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_MAX_COLUMNS,
				description:
					'Most columns the automatic columns may have; more is an error (a project whose persons have thousands of different properties would otherwise make a file too wide to open). Choose Columns instead to export a wide project.',
			},
		],
	},
];

/** Simplify: the few person fields workflows and AI agents usually need. */
export const simplifyProperty: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: false,
	description:
		'Whether to return only five fields: the person UUID, distinct IDs, email, name and creation time (instead of every property)',
};

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
