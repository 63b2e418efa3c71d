import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

const CLOUD_HOSTS: Record<string, string> = {
	us: 'https://us.posthog.com',
	eu: 'https://eu.posthog.com',
};

/**
 * Base URL (scheme + host + port, no path) from the credential. Self-hosted hosts are
 * normalised: scheme added when missing, trailing slashes and any stray path dropped.
 * The credential test request computes the same thing with an expression.
 */
export function postHogBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const region = String(credentials.region ?? 'us');
	if (region !== 'selfHosted') return CLOUD_HOSTS[region] ?? CLOUD_HOSTS.us;
	const host = String(credentials.host ?? '').trim();
	const withScheme = /^https?:\/\//i.test(host) ? host : `https://${host}`;
	const match = /^(https?:\/\/[^/?#]+)/i.exec(withScheme);
	if (!host || !match) throw new Error('The credential has no Host for the self-hosted PostHog instance');
	return match[1];
}

export function isPostHogCloud(baseUrl: string): boolean {
	return /^https:\/\/(us|eu|app)\.posthog\.com$/i.test(baseUrl);
}
