import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * Where requests go and with which key, read from the credential and checked before anything
 * is sent: a host that is not an address, PostHog's ingestion host, a project API key in place
 * of the personal key, or a project ID that is not a number each get a message saying what to
 * enter instead.
 */

const CLOUD_HOSTS: Record<string, string> = {
	us: 'https://us.posthog.com',
	eu: 'https://eu.posthog.com',
};

export interface Connection {
	/** scheme://host[:port], the only origin the key is sent to. */
	origin: string;
	hostname: string;
	/** Numeric project ID. */
	projectId: string;
	apiKey: string;
}

/** A credential value the node cannot use, with what to enter instead. */
export class CredentialProblem extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
		this.name = 'CredentialProblem';
	}
}

const HOST_EXAMPLE = 'Enter the address of your PostHog instance, for example https://posthog.example.com or http://10.0.0.5:8000.';

/**
 * Base URL (scheme + host + port, no path) from the credential. Self-hosted hosts are
 * normalised: scheme added when missing, trailing slashes and any stray path dropped.
 * The credential test request computes the same thing with an expression.
 */
export function postHogBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const region = String(credentials.region ?? 'us');
	if (region !== 'selfHosted') return CLOUD_HOSTS[region] ?? CLOUD_HOSTS.us;
	const host = String(credentials.host ?? '').trim();
	if (host === '') throw new CredentialProblem('The credential has no Host for the self-hosted PostHog instance', HOST_EXAMPLE);
	if (/[\s\p{Cc}]/u.test(host)) {
		throw new CredentialProblem(`The credential's Host "${JSON.stringify(host).slice(1, -1)}" contains spaces or line breaks`, HOST_EXAMPLE);
	}
	const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(host);
	if (scheme && !/^https?:\/\//i.test(host) && !/^[^:/]+:\d+(\/|$)/.test(host)) {
		throw new CredentialProblem(`The credential's Host "${host}" is not a web address (${scheme[1]}:)`, HOST_EXAMPLE);
	}
	const withScheme = /^https?:\/\//i.test(host) ? host : `https://${host}`;
	const match = /^(https?:\/\/[^/?#]+)/i.exec(withScheme);
	let url: URL | undefined;
	try {
		url = match ? new URL(match[1]) : undefined;
	} catch {
		url = undefined;
	}
	if (url && (url.username || url.password)) {
		throw new CredentialProblem("The credential's Host contains a user name or password (user:password@…)", `Remove them: the node authenticates with the personal API key only. ${HOST_EXAMPLE}`);
	}
	if (!match || !url || !/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/i.test(url.hostname)) {
		throw new CredentialProblem(`The credential's Host "${host}" is not a valid address`, HOST_EXAMPLE);
	}
	return match[1];
}

export function isPostHogCloud(baseUrl: string): boolean {
	return /^https:\/\/(us|eu|app)\.posthog\.com$/i.test(baseUrl);
}

/** Everything the transport needs from the credential, checked. */
export function readConnection(credentials: ICredentialDataDecryptedObject): Connection {
	const baseUrl = postHogBaseUrl(credentials);
	const url = new URL(baseUrl);
	if (/(^|\.)i\.posthog\.com$/i.test(url.hostname)) {
		const region = /^eu\./i.test(url.hostname) ? 'EU Cloud' : 'US Cloud';
		throw new CredentialProblem(
			`${url.hostname} is PostHog's ingestion host, which does not serve the API this node uses`,
			`Choose Region "${region}" in the credential instead of Self-Hosted (the node then uses ${region === 'EU Cloud' ? CLOUD_HOSTS.eu : CLOUD_HOSTS.us}).`,
		);
	}
	const apiKey = String(credentials.apiKey ?? '').trim();
	if (apiKey === '') {
		throw new CredentialProblem('The credential has no Personal API Key', 'Create one in PostHog under Settings → User → Personal API keys (it starts with phx_).');
	}
	if (/^phc_/i.test(apiKey)) {
		throw new CredentialProblem(
			'The credential holds a project API key (phc_…), not a personal API key',
			'Project API keys only send events. Create a personal API key in PostHog under Settings → User → Personal API keys (it starts with phx_) and enter it instead.',
		);
	}
	const projectId = String(credentials.projectId ?? '').trim();
	if (projectId === '@current') {
		throw new CredentialProblem(
			'The credential\'s Project ID is "@current"; enter the project\'s number instead',
			'"@current" means whichever project the key\'s user last opened in PostHog, so requests (and deletions) could reach another project. Use the number in PostHog → Settings → Project (for example 12345).',
		);
	}
	if (!/^\d+$/.test(projectId)) {
		throw new CredentialProblem(
			`The credential's Project ID "${projectId}" is not a number`,
			'Use the numeric project ID from PostHog → Settings → Project (for example 12345), not the project API key (phc_…).',
		);
	}
	return { origin: url.origin, hostname: url.hostname, projectId, apiKey };
}
