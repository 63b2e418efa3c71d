import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../node.type';
import * as bulkDelete from './bulkDelete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';

export const personOperations: Record<string, OperationModule> = {
	bulkDelete,
	get,
	getAll,
};

export const personDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['person'] } },
		options: [
			{
				name: 'Bulk Delete',
				value: 'bulkDelete',
				description: 'Delete up to thousands of persons by distinct IDs or UUIDs, optionally with their events',
				action: 'Bulk delete persons',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a person by ID, UUID or distinct ID',
				action: 'Get a person',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List persons, with search and property filters',
				action: 'Get many persons',
			},
		],
		default: 'getAll',
	},
	...bulkDelete.description,
	...get.description,
	...getAll.description,
];
