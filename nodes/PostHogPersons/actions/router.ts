import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readRequestSettings } from '../helpers/requestSettings';
import { useRequestSettings } from '../transport';
import { insightOperations } from './insight/Insight.resource';
import type { ResourceModules } from './node.type';
import { personOperations } from './person/Person.resource';

const resources: ResourceModules = {
	person: personOperations,
	insight: insightOperations,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const module = resources[resource]?.[operation];
	if (!module) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`, {
			description: 'Open the node and pick a resource and an operation from the lists.',
		});
	}
	useRequestSettings(this, readRequestSettings(this));
	const output = await module.execute.call(this, items);
	return [output];
}
