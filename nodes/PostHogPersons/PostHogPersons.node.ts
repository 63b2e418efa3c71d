import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { requestOptions } from './actions/descriptions/requestOptions';
import { insightDescription } from './actions/insight/Insight.resource';
import { personDescription } from './actions/person/Person.resource';
import { router } from './actions/router';
import { listSearch } from './methods';

export class PostHogPersons implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'PostHog Persons',
		name: 'postHogPersons',
		icon: { light: 'file:posthog.svg', dark: 'file:posthog.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'List, inspect, update and delete PostHog persons, bulk-delete them for GDPR requests, and get the persons behind funnel, trends, retention, paths, lifecycle and stickiness insights',
		defaults: {
			name: 'PostHog Persons',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'postHogPersonsApi',
				required: true,
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Insight',
						value: 'insight',
						description: 'The persons behind one data point of a funnel, trends, retention, paths, lifecycle or stickiness insight',
					},
					{
						name: 'Person',
						value: 'person',
						description: 'Persons of the project: list, get, update, delete, bulk delete, activity, cohorts',
					},
				],
				default: 'person',
			},
			...personDescription,
			...insightDescription,
			requestOptions,
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
