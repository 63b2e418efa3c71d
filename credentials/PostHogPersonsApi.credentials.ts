import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * PostHog personal API key credential for the private (app) API of one project.
 *
 * The base URL is derived from Region and, for self-hosted instances, the Host field:
 * the node does it with `postHogBaseUrl()` in transport/, the credential test below with the
 * equivalent expression (both normalise a missing scheme, trailing slashes and stray paths).
 */
export class PostHogPersonsApi implements ICredentialType {
	name = 'postHogPersonsApi';

	displayName = 'PostHog Persons API';

	documentationUrl = 'https://posthog.com/docs/api#private-endpoint-authentication';

	icon = { light: 'file:posthog.svg', dark: 'file:posthog.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'US Cloud (us.posthog.com)', value: 'us' },
				{ name: 'EU Cloud (eu.posthog.com)', value: 'eu' },
				{ name: 'Self-Hosted', value: 'selfHosted' },
			],
			default: 'us',
			description: 'Where your PostHog project lives',
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://posthog.example.com',
			description:
				'Address of your self-hosted PostHog instance (the app URL, not the ingestion URL). Paths and trailing slashes are ignored.',
			displayOptions: { show: { region: ['selfHosted'] } },
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 12345',
			description:
				'Numeric ID of the project, shown in PostHog under Settings → Project → Project ID (not the project API key)',
		},
		{
			displayName: 'Personal API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. phx_...',
			description:
				'Create one in PostHog under Settings → User → Personal API keys. Scopes: person:read / person:write, plus cohort:read, activity_log:read, query:read and insight:read for the operations that need them (see README).',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// One page of one person proves the key, its person:read scope and access to the project.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ $credentials.region === "eu" ? "https://eu.posthog.com" : $credentials.region === "selfHosted" ? (/^https?:\\/\\//i.test(String($credentials.host).trim()) ? "" : "https://") + String($credentials.host).trim().replace(/^((?:https?:\\/\\/)?[^\\/?#]+).*$/i, "$1") : "https://us.posthog.com" }}',
			url: '=/api/projects/{{ encodeURIComponent(String($credentials.projectId).trim()) }}/persons/',
			method: 'GET',
			qs: { limit: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'PostHog rejected the personal API key (401: "Personal API key found in request Authorization header is invalid."). Check the key and the region or host.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'PostHog refused access (403): the key lacks the person:read scope, or is restricted to other projects / organizations ("API key does not have access to the requested project").',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'PostHog answered 404 "Project not found.": check the Project ID (the number in Settings → Project, not the project API key) and the region or host.',
				},
			},
		],
	};
}
