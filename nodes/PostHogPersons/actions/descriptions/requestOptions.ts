import type { INodeProperties } from 'n8n-workflow';

/**
 * Node-wide request behaviour: pacing, retries, waits, concurrency. Read once per execution
 * (helpers/requestSettings.ts). Every option has a default that suits PostHog Cloud and
 * self-hosted instances alike, so the collection stays empty unless a run needs tuning.
 */
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
				'How often a request that is safe to repeat is retried after a server error, a timeout or a broken connection. Rate-limited answers (429) are retried separately, up to 10 times within Max Wait.',
		},
		{
			displayName: 'Max Wait (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 300,
			description:
				'Longest time one request may take in total, every attempt, retry and Retry-After wait included. For insight queries it also bounds the polling of a running query.',
		},
		{
			displayName: 'N8n Processes Sharing This Key',
			name: 'processesSharingKey',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1000 },
			default: 1,
			description:
				'How many n8n processes (main and queue-mode workers) run this node with the same API key at the same time. Each process paces at its share of PostHog\'s per-key limits and runs at most its share of the 3 queries PostHog allows at once.',
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
			description:
				'Longest time one attempt may take, from sending the request to the last byte of the answer (a server that answers slowly is cut off, too)',
		},
	],
};
