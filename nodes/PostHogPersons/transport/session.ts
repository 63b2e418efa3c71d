import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { postHogBaseUrl } from './baseUrl';
import type { Pacing } from './pacing';
import { buildPacing } from './pacing';
import type { RequestSettings } from './settings';
import { readSettings } from './settings';
import type { PostHogContext } from './types';
import { CREDENTIAL_TYPE } from './types';

/** What every request of one node execution shares: origin, project path, settings, pacing. */
export interface Session extends Pacing {
	node: INode;
	origin: string;
	hostname: string;
	projectPath: string;
	settings: RequestSettings;
}

const sessions = new WeakMap<object, Promise<Session>>();

async function createSession(ctx: PostHogContext): Promise<Session> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const node = ctx.getNode();
	let baseUrl: string;
	try {
		baseUrl = postHogBaseUrl(credentials);
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message, {
			description: 'Open the credential and fill in Host (for example https://posthog.example.com).',
		});
	}
	const projectId = String(credentials.projectId ?? '').trim();
	if (!/^(\d+|@current)$/.test(projectId)) {
		throw new NodeOperationError(node, `The credential's Project ID "${projectId}" is not a number`, {
			description:
				'Use the numeric project ID from PostHog → Settings → Project (for example 12345), not the project API key (phc_...).',
		});
	}
	const settings = readSettings(ctx);
	const url = new URL(baseUrl);
	return {
		node,
		origin: url.origin,
		hostname: url.hostname,
		projectPath: `/api/projects/${projectId}/`,
		settings,
		...buildPacing(settings, baseUrl),
	};
}

/** The session of a node context, created on its first request. */
export function getSession(ctx: PostHogContext): Promise<Session> {
	let session = sessions.get(ctx);
	if (!session) {
		session = createSession(ctx);
		sessions.set(ctx, session);
	}
	return session;
}

/** Request settings of this execution (from the node's "Request Options"). */
export async function getRequestSettings(this: IExecuteFunctions): Promise<RequestSettings> {
	return (await getSession(this)).settings;
}
