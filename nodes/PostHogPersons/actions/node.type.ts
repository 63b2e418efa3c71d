import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { insightOperations } from './insight/Insight.resource';
import type { personOperations } from './person/Person.resource';

/**
 * Every operation module exports its fields (`description`, built with updateDisplayOptions)
 * and `execute`, which receives all input items and returns the output items, each paired to
 * the input item it came from. Operations that batch across items (bulk delete, look-ups)
 * need all items at once; the others use helpers/items.ts `forEachItem`.
 */
export interface OperationModule {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

/** The operations of each resource, as the `operation` parameter's values. */
export type PostHogPersonsOperations = {
	person: keyof typeof personOperations;
	insight: keyof typeof insightOperations;
};

export type PostHogPersonsResource = keyof PostHogPersonsOperations;

/** Resource → operation → module, complete for every operation of every resource. */
export type ResourceModules = {
	[R in PostHogPersonsResource]: Record<PostHogPersonsOperations[R], OperationModule>;
};
