import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readRequestSettings } from '../helpers/requestSettings';
import { useRequestSettings } from '../transport';
import { insightOperations } from './insight/Insight.resource';
import type { OperationModule, PostHogPersonsResource, ResourceModules } from './node.type';
import { personOperations } from './person/Person.resource';

export const resources: ResourceModules = {
	person: personOperations,
	insight: insightOperations,
};

function has<T extends object>(object: T, key: string): key is Extract<keyof T, string> {
	return Object.prototype.hasOwnProperty.call(object, key);
}

/** The module of a resource and operation, or undefined when the pair does not exist. */
export function operationModule(resource: string, operation: string): OperationModule | undefined {
	if (!has(resources, resource)) return undefined;
	const operations: Record<string, OperationModule> = resources[resource as PostHogPersonsResource];
	return has(operations, operation) ? operations[operation] : undefined;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const module = operationModule(resource, operation);
	if (!module) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`, {
			description: 'Open the node and pick a resource and an operation from the lists.',
		});
	}
	useRequestSettings(this, readRequestSettings(this));
	const output = await module.execute.call(this, items);
	return [output];
}
