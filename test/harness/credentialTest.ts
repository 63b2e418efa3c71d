/**
 * Runs the credential's `test` request the way n8n's CredentialsTester does for request-style
 * tests: the request's expressions are resolved with `$credentials`, the credential's
 * authentication is applied, non-2xx answers are matched against the `responseCode` rules
 * (else the HTTP status text), and `responseSuccessBody` rules are checked on success.
 */
import axios from 'axios';
import {
	Workflow,
	type IAuthenticateGeneric,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE, loadPackage } from './engine';

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/** Resolves `={{ ... }}` values (recursively) with `$credentials`, as n8n does for credential test requests. */
export function resolveWithCredentials(value: unknown, credentials: ICredentialDataDecryptedObject): unknown {
	const noOp = {
		description: { properties: [], inputs: ['main'], outputs: ['main'], version: 1, name: 'n8n-nodes-base.noOp' },
	} as never;
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByName: () => noOp,
			getByNameAndVersion: () => noOp,
			getKnownTypes: () => ({}),
		},
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

export async function testCredential(credentials: ICredentialDataDecryptedObject): Promise<CredentialTestResult> {
	const loader = await loadPackage();
	const type = loader.getCredential(CREDENTIAL_TYPE).type;
	const resolve = (value: unknown) => resolveWithCredentials(value, credentials);
	const test = type.test;
	if (!test) throw new Error('credential has no test');
	const request = resolve(test.request) as IDataObject;
	const headers: Record<string, string> = {};
	const auth = type.authenticate as IAuthenticateGeneric;
	for (const [key, value] of Object.entries(auth.properties.headers ?? {})) headers[key] = String(resolve(value));
	const response = await axios.request({
		baseURL: request.baseURL as string,
		url: request.url as string,
		method: (request.method as string) ?? 'GET',
		params: request.qs,
		headers,
		validateStatus: () => true,
	});
	if (response.status < 200 || response.status > 299) {
		for (const rule of test.rules ?? []) {
			if (rule.type === 'responseCode' && rule.properties.value === response.status) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
		return { status: 'Error', message: response.statusText || `Received HTTP status code: ${response.status}` };
	}
	return { status: 'OK', message: 'Connection successful!' };
}
