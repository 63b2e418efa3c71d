import type { ICredentialsDecrypted, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Connection } from './connection';
import { CredentialProblem, readConnection } from './connection';
import type { ClassBuckets } from './pacing';
import { classBuckets, limiterFor, queryConcurrency } from './pacing';
import type { RateLimiter } from './rateLimiter';
import type { RequestSettings } from './settings';
import { DEFAULT_SETTINGS } from './settings';
import type { PostHogContext } from './types';
import { CREDENTIAL_TYPE } from './types';

/** What every request of one node execution shares: where to send, settings, pacing. */
export interface Session {
	node: INode;
	origin: string;
	hostname: string;
	/** `/api/projects/<id>/` */
	projectPath: string;
	/** Only for removing it from texts taken from responses. */
	apiKey: string;
	/**
	 * The credential as n8n decrypted it for this execution, handed back to n8n's request helper
	 * with every request, so n8n decrypts it once per execution instead of once per request.
	 */
	credentials: ICredentialsDecrypted;
	settings: RequestSettings;
	buckets: ClassBuckets;
	/** Shared by every execution of this process that uses the same origin, project and key. */
	limiter: RateLimiter;
	/** Query API requests this process may run at once for the key. */
	maxQueries: number;
}

const configured = new WeakMap<object, RequestSettings>();
const sessions = new WeakMap<object, Promise<Session>>();

/** Hands the execution's Request Options to the transport (before its first request). */
export function useRequestSettings(ctx: PostHogContext, settings: RequestSettings): void {
	configured.set(ctx, settings);
	sessions.delete(ctx);
}

async function createSession(ctx: PostHogContext): Promise<Session> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const node = ctx.getNode();
	let connection: Connection | undefined;
	let problem: CredentialProblem | undefined;
	try {
		connection = readConnection(credentials);
	} catch (error) {
		problem = error instanceof CredentialProblem ? error : new CredentialProblem(String(error), 'Open the credential and check its fields.');
	}
	if (problem || !connection) {
		throw new NodeOperationError(node, problem?.message ?? 'The credential cannot be used', { description: problem?.description });
	}
	const settings = configured.get(ctx) ?? DEFAULT_SETTINGS;
	const selected = node.credentials?.[CREDENTIAL_TYPE];
	return {
		node,
		origin: connection.origin,
		hostname: connection.hostname,
		projectPath: `/api/projects/${connection.projectId}/`,
		apiKey: connection.apiKey,
		credentials: { id: selected?.id ?? '', name: selected?.name ?? '', type: CREDENTIAL_TYPE, data: credentials },
		settings,
		buckets: classBuckets(settings, connection.origin),
		limiter: limiterFor(connection.origin, connection.projectId, connection.apiKey),
		maxQueries: queryConcurrency(settings),
	};
}

/** The session of a node context, created on its first request. */
export function getSession(ctx: PostHogContext): Promise<Session> {
	let session = sessions.get(ctx);
	if (!session) {
		session = createSession(ctx);
		sessions.set(ctx, session);
		// a failed session (bad credential) is not cached: the next call reports it again
		session.catch(() => sessions.delete(ctx));
	}
	return session;
}

/** The execution's cancel signal, when the context has one. */
export function cancelSignal(ctx: PostHogContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx && typeof ctx.getExecutionCancelSignal === 'function'
		? ctx.getExecutionCancelSignal()
		: undefined;
}

/** Request settings of this execution (the node's "Request Options", or the defaults). */
export async function getRequestSettings(this: IExecuteFunctions): Promise<RequestSettings> {
	return configured.get(this) ?? DEFAULT_SETTINGS;
}
