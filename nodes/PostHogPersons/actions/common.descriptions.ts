import type { INodeProperties } from 'n8n-workflow';

import { UUID_PATTERN } from '../helpers/validation';

/** The person an operation acts on: picked from a search, by numeric ID / UUID, or by distinct ID. */
export const personLocator: INodeProperties = {
	displayName: 'Person',
	name: 'person',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The person to act on',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Search by email, name or distinct ID…',
			typeOptions: {
				searchListMethod: 'searchPersons',
				searchable: true,
				searchFilterRequired: false,
			},
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 12345 or 0190a6c1-2f4e-7d3a-9b1c-5e8f0a2b3c4d',
			hint: "The person's numeric ID or UUID (the ID PostHog gives the person)",
			validation: [
				{
					type: 'regex',
					properties: {
						regex: `^\\s*(\\d+|${UUID_PATTERN.slice(1, -1)})\\s*$`,
						errorMessage: 'Enter a numeric person ID or a person UUID',
					},
				},
			],
		},
		{
			displayName: 'By Distinct ID',
			name: 'distinctId',
			type: 'string',
			placeholder: 'e.g. user-42 or ada@example.com',
			hint: 'An ID your app sends to PostHog for this person (distinct_id)',
		},
	],
};

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

/** Node-wide request behaviour: pacing, retries, waits, concurrency. Read once per execution. */
export const requestOptions: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 16 },
			default: 1,
			description:
				'How many input items are processed at the same time (requests still respect the rate limits)',
		},
		{
			displayName: 'Custom Rate Limits',
			name: 'customLimits',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: {},
			placeholder: 'Add limit',
			displayOptions: { show: { rateLimits: ['custom'] } },
			options: [
				{
					displayName: 'Limit',
					name: 'limit',
					values: [
						{
							displayName: 'Applies To',
							name: 'appliesTo',
							type: 'options',
							options: [
								{ name: 'Deletions', value: 'personsDelete', description: 'Delete and bulk delete' },
								{ name: 'Other Person Requests', value: 'persons', description: 'Reads and updates of persons' },
								{ name: 'Queries and Insights', value: 'query', description: 'Insight persons (Query API) and saved insights' },
							],
							default: 'persons',
						},
						{
							displayName: 'Max Requests',
							name: 'requests',
							type: 'number',
							typeOptions: { minValue: 1 },
							default: 240,
						},
						{
							displayName: 'Per (Seconds)',
							name: 'perSeconds',
							type: 'number',
							typeOptions: { minValue: 0.001 },
							default: 60,
							description: 'Length of the sliding window the limit applies to',
						},
					],
				},
			],
		},
		{
			displayName: 'Initial Retry Delay (Ms)',
			name: 'retryDelayMs',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1000,
			description:
				'First wait before retrying a failed request; doubles on every further attempt (with jitter, at most 30 s)',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 20 },
			default: 5,
			description:
				'How often a request that is safe to repeat is retried after a server error, a timeout or a connection reset. Rate-limited requests (429) are always retried within Max Wait.',
		},
		{
			displayName: 'Max Wait (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 300,
			description:
				'Longest total time one request may spend waiting for retries and Retry-After before it fails',
		},
		{
			displayName: 'Rate Limits',
			name: 'rateLimits',
			type: 'options',
			options: [
				{
					name: 'Automatic',
					value: 'auto',
					description: 'PostHog Cloud limits for us/eu.posthog.com, none for self-hosted hosts',
				},
				{
					name: 'Custom',
					value: 'custom',
					description: 'Your own limits (for self-hosted instances with RATE_LIMIT_ENABLED)',
				},
				{
					name: 'None',
					value: 'none',
					description: 'Send as fast as possible; 429 answers are still honoured',
				},
				{
					name: 'PostHog Cloud',
					value: 'cloud',
					description:
						'Deletes 480/min and 4800/h, other person requests 240/min, queries 240/min and 1200/h (per API key)',
				},
			],
			default: 'auto',
			description: 'How the node paces its requests to stay under PostHog\'s per-key rate limits',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 120,
			description: 'How long to wait for one answer from PostHog',
		},
	],
};

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
