/**
 * Runs workflow JSON inside n8n-core's real WorkflowExecute with this package's built node and
 * credential (loaded from dist/ by n8n-core's PackageDirectoryLoader, as n8n loads them).
 *
 * Nodes of other packages (Form Trigger, Schedule Trigger, Convert to File, ...) are not
 * installed here: they become pass-through stubs, and trigger input is given as pinData, the
 * way n8n itself runs a workflow with pinned trigger data. Real n8n runs them in test/e2e.
 */
import './userFolder';
import * as path from 'path';
import { ExecuteContext, ExecutionLifecycleHooks, LoadOptionsContext, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import {
	ICredentials,
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentialsEncrypted,
	type IConnections,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeListSearchResult,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IPinData,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type IAuthenticateGeneric,
} from 'n8n-workflow';

export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-posthog-persons';
export const NODE_TYPE = `${PACKAGE_NAME}.postHogPersons`;
export const CREDENTIAL_TYPE = 'postHogPersonsApi';

let loaded: Promise<PackageDirectoryLoader> | undefined;

/** The built package as n8n-core loads it (dist/ must exist: `npm run build`). */
export function loadPackage(): Promise<PackageDirectoryLoader> {
	if (!loaded) {
		loaded = (async () => {
			const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
			await loader.loadAll();
			return loader;
		})();
	}
	return loaded;
}

function stubNodeType(type: string): INodeType {
	const isTrigger = /trigger/i.test(type);
	return {
		description: {
			displayName: type,
			name: type,
			group: isTrigger ? ['trigger'] : ['transform'],
			version: [1, 1.1, 1.2, 1.3, 2, 2.1, 2.2, 2.3, 3],
			description: 'Pass-through stub of a node from another package',
			defaults: { name: type },
			inputs: isTrigger ? [] : ['main'],
			outputs: ['main'],
			properties: [],
		},
		async execute() {
			return [this.getInputData()];
		},
	};
}

export class HarnessNodeTypes implements INodeTypes {
	private stubs = new Map<string, INodeType>();

	constructor(private readonly loader: PackageDirectoryLoader) {}

	private own(type: string): IVersionedNodeType | INodeType | undefined {
		const prefix = `${PACKAGE_NAME}.`;
		if (!type.startsWith(prefix)) return undefined;
		return this.loader.getNode(type.slice(prefix.length)).type;
	}

	getByName(type: string) {
		return this.own(type) ?? this.stub(type);
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		const own = this.own(type);
		return own ? NodeHelpers.getVersionedNodeType(own, version) : this.stub(type);
	}

	getKnownTypes() {
		return {};
	}

	private stub(type: string): INodeType {
		let stub = this.stubs.get(type);
		if (!stub) {
			stub = stubNodeType(type);
			this.stubs.set(type, stub);
		}
		return stub;
	}
}

class HarnessCredentials extends ICredentials {
	async getData(): Promise<ICredentialDataDecryptedObject> {
		return {};
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: this.data };
	}

	async setData(): Promise<void> {}

	async updateData(): Promise<void> {}
}

/** How often n8n-core asked the harness to decrypt a credential (n8n decrypts on every ask). */
export const credentialUse = { decryptions: 0 };

/**
 * Credential store and authentication like n8n's CredentialsHelper: generic `authenticate`
 * blocks are resolved with the workflow's expression engine and `$credentials`.
 */
export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly data: Record<string, ICredentialDataDecryptedObject>,
		private readonly types: Record<string, ICredentialType>,
	) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = this.types[typeName]?.authenticate;
		if (!authenticate) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		const generic = authenticate as IAuthenticateGeneric;
		const resolve = (value: unknown) =>
			typeof value === 'string' && value.startsWith('=') && workflow && node
				? workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '')
				: value;
		for (const [outerKey, values] of Object.entries(generic.properties) as Array<[string, IDataObject]>) {
			const target = ((requestOptions as unknown as IDataObject)[outerKey] ?? {}) as IDataObject;
			for (const [key, value] of Object.entries(values)) target[String(resolve(key))] = resolve(value) as string;
			(requestOptions as unknown as IDataObject)[outerKey] = target;
		}
		return requestOptions;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		return new HarnessCredentials({ id: details.id, name: details.name }, type, '');
	}

	/**
	 * Like n8n's CredentialsHelper.getDecrypted: the stored data with the credential type's
	 * defaults applied by NodeHelpers.getNodeParameters, which evaluates every field's
	 * displayOptions (a `_cnd.regex` runs in n8n's time-limited regex engine).
	 */
	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _details: INodeCredentialsDetails, type: string) {
		const data = this.data[type];
		if (!data) throw new Error(`No test credentials of type ${type}`);
		credentialUse.decryptions++;
		const withDefaults = NodeHelpers.getNodeParameters(this.getCredentialsProperties(type), { ...data } as never, true, false, null, null);
		return withDefaults as ICredentialDataDecryptedObject;
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types[type]?.properties ?? [];
	}
}

/** What n8n-core needs around an execution: URLs, the credentials helper, hooks. */
export function harnessAdditionalData(
	credentialsHelper: ICredentialsHelper,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const base = 'http://127.0.0.1:5678/';
	return {
		credentialsHelper,
		hooks,
		executionId: 'harness-1',
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}rest`,
		instanceBaseUrl: base,
		formBaseUrl: `${base}form`,
		formWaitingBaseUrl: `${base}form-waiting`,
		formTestBaseUrl: `${base}form-test`,
		webhookBaseUrl: `${base}webhook`,
		webhookWaitingBaseUrl: `${base}webhook-waiting`,
		webhookTestBaseUrl: `${base}webhook-test`,
		mcpBaseUrl: `${base}mcp`,
		mcpTestBaseUrl: `${base}mcp-test`,
		variables: {},
		executeWorkflow: async () => {
			throw new Error('Sub-workflows are not available in the harness');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('Task runners are not available in the harness');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IDataObject;
	pinData?: IPinData;
	[key: string]: unknown;
}

export interface RunOptions {
	/** Credential data by credential type (default type: postHogPersonsApi). */
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Output items of nodes that should not run (trigger input): node name → items. */
	pinData?: Record<string, IDataObject[]>;
}

export interface RunResult {
	run: IRun;
	/** Output items (main output 0) of a node's last run; [] if it produced none. */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The error of the run, if it failed. */
	error?: Error & { description?: string; context?: IDataObject; httpCode?: string };
}

/** Runs a workflow (as exported from n8n, or as in examples/) inside n8n-core's WorkflowExecute. */
export async function runWorkflow(workflowJson: WorkflowJson, options: RunOptions): Promise<RunResult> {
	const loader = await loadPackage();
	const nodeTypes = new HarnessNodeTypes(loader);
	const credentialTypes: Record<string, ICredentialType> = {
		[CREDENTIAL_TYPE]: loader.getCredential(CREDENTIAL_TYPE).type,
	};
	const nodes = workflowJson.nodes.map((node) => ({ ...node, parameters: { ...node.parameters } }));
	const pinData: IPinData = {};
	for (const [name, items] of Object.entries(options.pinData ?? {})) {
		pinData[name] = items.map((json) => ({ json }));
	}
	const workflow = new Workflow({
		id: workflowJson.id ?? 'harness',
		name: workflowJson.name ?? 'harness',
		nodes,
		connections: workflowJson.connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1', ...(workflowJson.settings ?? {}) },
		pinData,
	});
	const hooks = new ExecutionLifecycleHooks('manual', 'harness-1', {
		id: workflow.id,
		name: workflow.name ?? 'harness',
		nodes,
		connections: workflowJson.connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		settings: {},
	} as never);
	const additionalData = harnessAdditionalData(new HarnessCredentialsHelper(options.credentials, credentialTypes), hooks);

	const startNode = nodes.find((node) => nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.inputs.length === 0);
	const run = await new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode, pinData });
	const runData = run.data.resultData.runData;
	const error = run.data.resultData.error as RunResult['error'];
	return {
		run,
		error,
		output(nodeName: string, outputIndex = 0) {
			const tasks = runData[nodeName];
			if (!tasks || tasks.length === 0) return [];
			return tasks[tasks.length - 1].data?.main?.[outputIndex] ?? [];
		},
	};
}

export interface SingleNodeOptions {
	/** Node parameters of the PostHog Persons node (resource, operation, ...). */
	parameters: IDataObject;
	/** Input items (default: one empty item). */
	input?: IDataObject[];
	continueOnFail?: boolean;
	/** The node's "On Error" setting (overrides continueOnFail), e.g. 'continueErrorOutput'. */
	onError?: INode['onError'];
	/** Other node settings, e.g. { retryOnFail: true }. */
	settings?: Partial<INode>;
	credentials: ICredentialDataDecryptedObject;
	nodeName?: string;
}

/**
 * A manual trigger with pinned input items, connected to one PostHog Persons node. `items` is the
 * main output, `errorItems` the error output (with onError 'continueErrorOutput').
 */
export async function runNode(options: SingleNodeOptions): Promise<RunResult & { items: INodeExecutionData[]; errorItems: INodeExecutionData[] }> {
	const nodeName = options.nodeName ?? 'PostHog Persons';
	const workflow: WorkflowJson = {
		nodes: [
			{
				id: 'trigger',
				name: 'Input',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'posthog',
				name: nodeName,
				type: NODE_TYPE,
				typeVersion: 1,
				position: [200, 0],
				parameters: options.parameters as INode['parameters'],
				credentials: { [CREDENTIAL_TYPE]: { id: '1', name: 'PostHog' } },
				...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
				...(options.onError ? { onError: options.onError } : {}),
				...(options.settings ?? {}),
			},
		],
		connections: { Input: { main: [[{ node: nodeName, type: 'main', index: 0 }]] } },
	};
	const result = await runWorkflow(workflow, {
		credentials: { [CREDENTIAL_TYPE]: options.credentials },
		pinData: { Input: options.input ?? [{}] },
	});
	return { ...result, items: result.output(nodeName), errorItems: options.onError === 'continueErrorOutput' ? result.output(nodeName, 1) : [] };
}

/** Text of a binary field of an output item (the harness keeps binary data inline, base64). */
export function binaryText(item: INodeExecutionData, field = 'data'): string {
	const binary = item.binary?.[field];
	if (!binary) throw new Error(`item has no binary field "${field}"`);
	return Buffer.from(binary.data, 'base64').toString('utf8');
}

export interface ListSearchPanel {
	/** The node's parameters as the panel holds them (default: a Person → Get node). */
	parameters?: IDataObject;
	/** Path of the field whose list is loaded (default `parameters.person`). */
	path?: string;
}

/** One PostHog Persons node alone in a workflow, with the harness's credentials, for contexts built by hand. */
async function lonelyNode(parameters: INode['parameters'], credentials: ICredentialDataDecryptedObject) {
	const loader = await loadPackage();
	const nodeTypes = new HarnessNodeTypes(loader);
	const node: INode = {
		id: 'posthog',
		name: 'PostHog Persons',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: { id: '1', name: 'PostHog' } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const credentialTypes = { [CREDENTIAL_TYPE]: loader.getCredential(CREDENTIAL_TYPE).type };
	const additionalData = harnessAdditionalData(
		new HarnessCredentialsHelper({ [CREDENTIAL_TYPE]: credentials }, credentialTypes),
	);
	return { nodeTypes, node, workflow, additionalData };
}

/**
 * Runs one of the node's list-search methods (the "From List" of a resource locator) in n8n-core's
 * LoadOptionsContext, as the editor does when the user opens the list: with the panel's current
 * parameters and the path of the field.
 */
export async function runListSearch(
	method: string,
	credentials: ICredentialDataDecryptedObject,
	filter?: string,
	paginationToken?: string,
	panel: ListSearchPanel = {},
): Promise<INodeListSearchResult> {
	const parameters = (panel.parameters ?? { resource: 'person', operation: 'get' }) as INode['parameters'];
	const { nodeTypes, node, workflow, additionalData } = await lonelyNode(parameters, credentials);
	// the editor sends the panel's parameters along (DynamicNodeParametersService)
	additionalData.currentNodeParameters = parameters;
	const context = new LoadOptionsContext(workflow, node, additionalData, panel.path ?? 'parameters.person');
	const type = nodeTypes.getByNameAndVersion(NODE_TYPE, 1);
	const search = type.methods?.listSearch?.[method];
	if (!search) throw new Error(`the node has no list search "${method}"`);
	return await search.call(context, filter, paginationToken);
}

/**
 * A real n8n-core ExecuteContext of one PostHog Persons node with the given parameters and input
 * items, for calling the transport directly (its requests go through n8n-core's request helpers).
 */
export async function executeContext(
	parameters: IDataObject,
	credentials: ICredentialDataDecryptedObject,
	input: IDataObject[] = [{}],
): Promise<ExecuteContext> {
	const { node, workflow, additionalData } = await lonelyNode(parameters as INode['parameters'], credentials);
	const items = input.map((json) => ({ json }));
	const executeData = { node, data: { main: [items] }, source: null };
	return new ExecuteContext(workflow, node, additionalData, 'manual', createRunExecutionData(), 0, items, { main: [items] }, executeData, []);
}
