/** Workflows built in code for e2e scenarios: PostHog Persons nodes fed by one Manual Trigger. */
import { CREDENTIAL_TYPE, NODE_TYPE } from './paths';
import { CREDENTIAL_ID, CREDENTIAL_NAME, type WorkflowFile, type WorkflowNode } from './setup';

/** A PostHog Persons node using the imported sandbox credential. */
export function postHogNode(name: string, position: [number, number], parameters: Record<string, unknown>): WorkflowNode {
	return {
		id: `e2e-${name.replace(/\W+/g, '-').toLowerCase()}`,
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position,
		parameters,
		credentials: { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
	};
}

/** A workflow whose Manual Trigger ("Start") feeds every given node (for `n8n execute`). */
export function manualTriggerWorkflow(id: string, name: string, nodes: WorkflowNode[]): WorkflowFile {
	return {
		id,
		name,
		nodes: [{ id: 'e2e-start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }, ...nodes],
		connections: { Start: { main: [nodes.map((node) => ({ node: node.name, type: 'main', index: 0 }))] } },
		settings: { executionOrder: 'v1' },
		active: false,
	};
}
