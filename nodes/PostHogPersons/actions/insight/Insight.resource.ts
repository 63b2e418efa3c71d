import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../node.type';

export const insightOperations: Record<string, OperationModule> = {};

export const insightDescription: INodeProperties[] = [];
