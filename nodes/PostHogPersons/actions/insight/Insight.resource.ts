import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../node.type';
import * as getFunnelCorrelationPersons from './getFunnelCorrelationPersons.operation';
import * as getFunnelPersons from './getFunnelPersons.operation';
import * as getLifecyclePersons from './getLifecyclePersons.operation';
import * as getStickinessPersons from './getStickinessPersons.operation';
import * as getTrendsPersons from './getTrendsPersons.operation';

export const insightOperations: Record<string, OperationModule> = {
	getFunnelCorrelationPersons,
	getFunnelPersons,
	getLifecyclePersons,
	getStickinessPersons,
	getTrendsPersons,
};

export const insightDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['insight'] } },
		options: [
			{
				name: 'Get Funnel Correlation Persons',
				value: 'getFunnelCorrelationPersons',
				description: 'Persons behind a row of a funnel\'s correlation analysis (an event, event property or person property)',
				action: 'Get funnel correlation persons',
			},
			{
				name: 'Get Funnel Persons',
				value: 'getFunnelPersons',
				description: 'Persons who converted through or dropped off at a funnel step (or a conversion-over-time point)',
				action: 'Get funnel persons',
			},
			{
				name: 'Get Lifecycle Persons',
				value: 'getLifecyclePersons',
				description: 'New, returning, resurrecting or dormant persons of a lifecycle insight on a day',
				action: 'Get lifecycle persons',
			},
			{
				name: 'Get Stickiness Persons',
				value: 'getStickinessPersons',
				description: 'Persons active in exactly N intervals of a stickiness insight',
				action: 'Get stickiness persons',
			},
			{
				name: 'Get Trends Persons',
				value: 'getTrendsPersons',
				description: 'Persons behind one point of a trends insight (series, day, breakdown value)',
				action: 'Get trends persons',
			},
		],
		default: 'getFunnelPersons',
	},
	...getFunnelCorrelationPersons.description,
	...getFunnelPersons.description,
	...getLifecyclePersons.description,
	...getStickinessPersons.description,
	...getTrendsPersons.description,
];
