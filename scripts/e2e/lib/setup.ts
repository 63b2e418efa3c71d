/**
 * Shared setup of `npm run test:e2e` and `npm run dev`: the credential pointing at the sandbox,
 * and the workflow files prepared for import.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CREDENTIAL_TYPE, NODE_TYPE, ROOT } from './paths';

export const CREDENTIAL_ID = 'E2eSandboxCred01';
export const CREDENTIAL_NAME = 'PostHog sandbox';

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, any>;
	credentials?: Record<string, { id: string | null; name: string }>;
	webhookId?: string;
	[key: string]: unknown;
}

export interface WorkflowFile {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main?: Array<Array<{ node: string; type: string; index: number }> | null> }>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[key: string]: unknown;
}

export interface SandboxCredential {
	url: string;
	projectId: number;
	apiKey: string;
}

/** The credential data a user would enter for the sandbox (self-hosted region). */
export function credentialData(sandbox: SandboxCredential): Record<string, string> {
	return { region: 'selfHosted', host: sandbox.url, projectId: String(sandbox.projectId), apiKey: sandbox.apiKey };
}

/** Writes the file for `n8n import:credentials` (plain data: n8n encrypts it on import). */
export function writeCredentialFile(file: string, sandbox: SandboxCredential): void {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	const credential = { id: CREDENTIAL_ID, name: CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data: credentialData(sandbox) };
	fs.writeFileSync(file, JSON.stringify([credential], null, 2), { mode: 0o600 });
}

export function readWorkflow(file: string): WorkflowFile {
	const workflow = JSON.parse(fs.readFileSync(file, 'utf8')) as WorkflowFile;
	if (!Array.isArray(workflow.nodes) || typeof workflow.connections !== 'object') throw new Error(`${file} is not a workflow`);
	return workflow;
}

/** A 16-character workflow id derived from the file name (for example files without an id). */
function idFromName(file: string): string {
	const base = path.basename(file, '.json').replace(/[^A-Za-z0-9]/g, '');
	return `Ex${base}`.slice(0, 16).padEnd(16, '0');
}

/**
 * A copy of a workflow ready for import: every PostHog Persons credential reference points at
 * the imported sandbox credential, the workflow has an id, is inactive, and runs with v1 order.
 */
export function prepareWorkflow(workflow: WorkflowFile, sourceFile: string): WorkflowFile {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowFile;
	copy.id = copy.id && /^[A-Za-z0-9]{1,21}$/.test(copy.id) ? copy.id : idFromName(sourceFile);
	copy.active = false;
	copy.settings = { executionOrder: 'v1', ...(copy.settings ?? {}) };
	for (const node of copy.nodes) {
		if (node.type.startsWith(NODE_TYPE) || node.credentials?.[CREDENTIAL_TYPE]) {
			node.credentials = { ...(node.credentials ?? {}), [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };
		}
	}
	return copy;
}

export function writeWorkflows(dir: string, workflows: WorkflowFile[]): void {
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	for (const workflow of workflows) fs.writeFileSync(path.join(dir, `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
}

/** examples/*.json of the repo (empty when the folder does not exist yet). */
export function exampleFiles(): string[] {
	const dir = path.join(ROOT, 'examples');
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => path.join(dir, name));
}

/** The nodes of a workflow that are this package's node (not its tool variant). */
export function postHogNodes(workflow: WorkflowFile): WorkflowNode[] {
	return workflow.nodes.filter((node) => node.type === NODE_TYPE);
}

export function formTriggers(workflow: WorkflowFile): WorkflowNode[] {
	return workflow.nodes.filter((node) => node.type === 'n8n-nodes-base.formTrigger');
}

/** Names of the nodes directly fed by a node's main outputs. */
export function downstream(workflow: WorkflowFile, nodeName: string): string[] {
	const outputs = workflow.connections[nodeName]?.main ?? [];
	return outputs.flatMap((targets) => (targets ?? []).map((target) => target.node));
}
