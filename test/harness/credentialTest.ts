/**
 * Runs the credential's `test` request the way n8n's CredentialsTester (n8n 2.41,
 * packages/cli credentials-tester.service `runRequestTest`) does: a temporary node whose one
 * property routes the test request, run by n8n-core's real RoutingNode in an ExecuteContext, so
 * the request takes n8n's own path (httpRequestWithAuthentication → @n8n/backend-network's
 * OutboundHttp, with its redirect handling). Errors are turned into the result like the tester
 * does: a `responseCode` rule's message, else the HTTP status text, else the error code.
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	Workflow,
	createEmptyRunExecutionData,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeType,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE, HarnessCredentialsHelper, harnessAdditionalData, loadPackage } from './engine';

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/** Resolves `={{ ... }}` values (recursively) with `$credentials`, as n8n does for credential test requests. */
export function resolveWithCredentials(value: unknown, credentials: ICredentialDataDecryptedObject): unknown {
	const noOp = {
		description: { properties: [], inputs: ['main'], outputs: ['main'], version: 1, name: 'n8n-nodes-base.noOp' },
	} as never;
	const node: INode = { id: 'temp', name: 'Temp-Node', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: { getByName: () => noOp, getByNameAndVersion: () => noOp, getKnownTypes: () => ({}) },
	});
	const resolve = (entry: unknown): unknown => {
		if (typeof entry === 'string' && entry.startsWith('=')) {
			return workflow.expression.getParameterValue(entry, null, 0, 0, node.name, [], 'internal', {
				$credentials: credentials,
			} as IDataObject);
		}
		if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
			return Object.fromEntries(Object.entries(entry).map(([key, inner]) => [key, resolve(inner)]));
		}
		return entry;
	};
	return resolve(value);
}

interface TesterError {
	message?: string;
	cause?: { code?: string; response?: { status: number; statusText?: string } };
}

export async function testCredential(credentials: ICredentialDataDecryptedObject): Promise<CredentialTestResult> {
	const loader = await loadPackage();
	const credentialType = loader.getCredential(CREDENTIAL_TYPE).type;
	const test = credentialType.test;
	if (!test) throw new Error('credential has no test');

	const nodeType: INodeType = {
		description: {
			displayName: 'No Operation',
			name: 'n8n-nodes-base.noOp',
			group: ['transform'],
			version: 1,
			description: 'temporary node of the credential test',
			defaults: { name: 'Temp-Node' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: CREDENTIAL_TYPE, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: test.request }, default: '' }],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [CREDENTIAL_TYPE]: { id: '1', name: 'PostHog' } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) },
	});
	const additionalData = harnessAdditionalData(
		new HarnessCredentialsHelper({ [CREDENTIAL_TYPE]: credentials }, { [CREDENTIAL_TYPE]: credentialType }),
	);
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const routingNode = new RoutingNode(context, nodeType, { id: '1', name: 'PostHog', type: CREDENTIAL_TYPE, data: credentials });
	try {
		await routingNode.runNode();
	} catch (caught) {
		const error = caught as TesterError;
		const response = error.cause?.response;
		if (response) {
			for (const rule of test.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === response.status) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (response.status < 199 || response.status > 299) {
				return { status: 'Error', message: response.statusText || `Received HTTP status code: ${response.status}` };
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: String(error.message) };
	}
	return { status: 'OK', message: 'Connection successful!' };
}
