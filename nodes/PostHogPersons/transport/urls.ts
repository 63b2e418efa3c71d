import { NodeOperationError } from 'n8n-workflow';

import { redact } from './redact';
import type { Session } from './session';

/**
 * The URL of an endpoint: a path under the project, or an absolute link PostHog returned
 * (which must be on the credential's origin, so the key is never sent elsewhere).
 */
export function resolveUrl(session: Session, endpoint: string): URL {
	if (/^[a-z][a-z0-9+.-]*:/i.test(endpoint)) {
		let url: URL;
		try {
			url = new URL(endpoint);
		} catch {
			throw linkError(session, `PostHog returned a link that is not a valid address (${redact(endpoint.slice(0, 200), session.apiKey)})`);
		}
		if (url.origin !== session.origin) {
			throw linkError(session, `PostHog returned a link to another origin (${url.origin}); the node only sends the API key to ${session.origin}`);
		}
		if (url.username || url.password) {
			throw linkError(session, 'PostHog returned a link with a user name or password in it; the node does not follow it');
		}
		return url;
	}
	return new URL(`${session.projectPath}${endpoint.replace(/^\/+/, '')}`, session.origin);
}

/**
 * A `next` link, kept on the path the paging started with: same origin, no user name, and the
 * same path (after `../` and `%2e%2e` are resolved), so a link cannot lead to another project,
 * another endpoint or an admin page.
 */
export function nextLinkUrl(session: Session, link: string, first: URL, itemIndex?: number): URL {
	const url = resolveUrl(session, link);
	if (url.pathname !== first.pathname) {
		throw linkError(
			session,
			`PostHog returned a "next" link to another path (${redact(url.pathname.slice(0, 200), session.apiKey)}); paging of ${first.pathname} only follows links to the same path`,
			itemIndex,
		);
	}
	return url;
}

function linkError(session: Session, message: string, itemIndex?: number): NodeOperationError {
	return new NodeOperationError(session.node, message, {
		description:
			'Check Region / Host in the credential: it must be the address PostHog itself uses for links (its SITE_URL). A proxy that rewrites links can cause this too.',
		itemIndex,
	});
}
