import { NodeOperationError } from 'n8n-workflow';

import type { Session } from './session';

/**
 * The URL of an endpoint: a path under the project, or an absolute link PostHog returned
 * (which must be on the credential's origin, so the key is never sent elsewhere).
 */
export function resolveUrl(session: Session, endpoint: string): URL {
	if (/^https?:\/\//i.test(endpoint)) {
		const url = new URL(endpoint);
		if (url.origin !== session.origin) {
			throw new NodeOperationError(
				session.node,
				`PostHog returned a link to another origin (${url.origin}); the node only sends the API key to ${session.origin}`,
				{
					description:
						'Check Region / Host in the credential: it must be the address PostHog itself uses for links (its SITE_URL).',
				},
			);
		}
		return url;
	}
	return new URL(`${session.projectPath}${endpoint.replace(/^\/+/, '')}`, session.origin);
}
