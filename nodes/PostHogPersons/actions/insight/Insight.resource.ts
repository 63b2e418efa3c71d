import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../node.type';
import * as getFunnelCorrelationPersons from './getFunnelCorrelationPersons.operation';
import * as getFunnelPersons from './getFunnelPersons.operation';
import * as getLifecyclePersons from './getLifecyclePersons.operation';
import * as getPathsPersons from './getPathsPersons.operation';
import * as getRetentionPersons from './getRetentionPersons.operation';
import * as getStickinessPersons from './getStickinessPersons.operation';
import * as getTrendsPersons from './getTrendsPersons.operation';
import { legacyDataPointProperties } from './insightSource.descriptions';
import type { InsightOperation } from './kinds';
import { INSIGHT_KINDS, INSIGHT_KIND_NAMES } from './kinds';

/** One module per insight kind's operation; the type makes a missing one a compile error. */
export const insightOperations: Record<InsightOperation, OperationModule> = {
	getFunnelCorrelationPersons,
	getFunnelPersons,
	getLifecyclePersons,
	getPathsPersons,
	getRetentionPersons,
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
		options: INSIGHT_KIND_NAMES.map((kind) => INSIGHT_KINDS[kind])
			.map(({ name, operation, description, action }) => ({ name, value: operation, description, action }))
			.sort((a, b) => a.name.localeCompare(b.name)),
		default: 'getFunnelPersons',
	},
	...getFunnelCorrelationPersons.description,
	...getFunnelPersons.description,
	...getLifecyclePersons.description,
	...getPathsPersons.description,
	...getRetentionPersons.description,
	...getStickinessPersons.description,
	...getTrendsPersons.description,
	...legacyDataPointProperties([
		['getFunnelPersons', getFunnelPersons.dataPointFields],
		['getTrendsPersons', getTrendsPersons.dataPointFields],
		['getRetentionPersons', getRetentionPersons.dataPointFields],
	]),
];
