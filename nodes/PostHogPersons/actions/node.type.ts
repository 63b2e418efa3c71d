import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

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

export type ResourceModules = Record<string, Record<string, OperationModule>>;
