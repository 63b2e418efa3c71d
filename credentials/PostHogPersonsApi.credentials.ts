import type {
	DisplayCondition,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/**
 * PostHog personal API key credential for the private (app) API of one project.
 *
 * The base URL is derived from Region and, for self-hosted instances, the Host field:
 * the node does it with `postHogBaseUrl()` in transport/connection.ts, the credential test below
 * with the equivalent expression (both normalise a missing scheme, trailing slashes and stray
 * paths). Notices under the fields say what to enter instead of values the node refuses.
 *
 * The notices' conditions compare text and never use `_cnd.regex`: n8n evaluates every field's
 * conditions each time a node fetches the credential, and n8n (2.x, 1.123) runs a regex condition
 * in a separate VM context with a 250 ms limit, which a loaded machine can exceed ("Regular
 * expression execution timed out"), failing the request that fetched it.
 */

const includes = (text: string): DisplayCondition => ({ _cnd: { includes: text } });
const startsWith = (text: string): DisplayCondition => ({ _cnd: { startsWith: text } });
const endsWith = (text: string): DisplayCondition => ({ _cnd: { endsWith: text } });

/** Whitespace inside the Host field (around the address it is trimmed). */
const SPACES = [' ', '\t', '\n', '\r'];

/** Host values no web address looks like: whitespace inside, or a scheme other than http(s). */
const INVALID_HOST: DisplayCondition[] = [
	...SPACES.map(includes),
	...['javascript:', 'data:', 'file:', 'ftp:', 'ws:', 'wss:', 'mailto:', 'vbscript:'].map(startsWith),
];

/** Host values with whitespace before or after the address (trimmed, so no reason for the notice). */
const PADDED_HOST: DisplayCondition[] = SPACES.flatMap((space) => [startsWith(space), endsWith(space)]);

/**
 * Project IDs that are no number: beginning with a character other than a digit or whitespace
 * (a name, "@current", a key, a URL), or holding a mark no number has.
 */
const NOT_A_NUMBER: DisplayCondition[] = [
	{ _cnd: { gt: '9\uffff' } },
	{ _cnd: { between: { from: '!', to: '/\uffff' } } },
	...['@', '_', '-', '.', '/', ':', ','].map(includes),
];

const REDIRECT_MESSAGE =
	'The host answered with a redirect ({status}), which the test does not follow so the API key is not sent elsewhere. Set Host (or Region) to the address PostHog\'s API is served from; a login page or proxy in front of PostHog can cause this too.';
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
			displayName:
				'This is PostHog\'s ingestion host, which does not serve the API this node uses. Choose Region "US Cloud" or "EU Cloud" instead.',
			name: 'ingestionHostNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { region: ['selfHosted'], host: [{ _cnd: { includes: 'i.posthog.com' } }] } },
		},
		{
			displayName:
				'Host must be a web address without spaces, for example https://posthog.example.com or http://10.0.0.5:8000',
			name: 'invalidHostNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { region: ['selfHosted'], host: INVALID_HOST }, hide: { host: PADDED_HOST } },
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
			displayName:
				'Project ID must be the project\'s number from PostHog → Settings → Project. "@current" is not accepted: it follows whichever project the key\'s user last opened.',
			name: 'projectIdNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { projectId: NOT_A_NUMBER } },
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
		{
			displayName:
				'This is a project API key (phc_…), which only sends events. Enter a personal API key (phx_…) from PostHog → Settings → User → Personal API keys.',
			name: 'projectKeyNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { apiKey: [{ _cnd: { startsWith: 'phc_' } }] } },
		},
	];

	/**
	 * Bearer auth, as a function rather than a generic block: n8n resolves a generic block's
	 * `=Bearer {{$credentials.apiKey}}` with its expression engine on every request, which cost an
	 * export of 100,000 persons in pages of 1000 about 8 MB more peak memory (and the export of one
	 * page 6 MB). The key is sent trimmed, as the node checks it.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.apiKey ?? '').trim()}` },
		};
	}

	// One page of one person proves the key, its person:read scope and access to the project.
	// Redirects are not followed (n8n would otherwise send the key to wherever they point), and a
	// Project ID that is not a number (such as "@current") is sent as "not-a-number" so PostHog
	// answers "Project not found" instead of testing some other project.
	test: ICredentialTestRequest = {
		request: {
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			baseURL:
				'={{ $credentials.region === "eu" ? "https://eu.posthog.com" : $credentials.region === "selfHosted" ? (/^https?:\\/\\//i.test(String($credentials.host).trim()) ? "" : "https://") + String($credentials.host).trim().replace(/^((?:https?:\\/\\/)?[^\\/?#]+).*$/i, "$1") : "https://us.posthog.com" }}',
			url: '=/api/projects/{{ /^\\d+$/.test(String($credentials.projectId).trim()) ? String($credentials.projectId).trim() : "not-a-number" }}/persons/',
			method: 'GET',
			qs: { limit: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'PostHog rejected the personal API key (401: "Personal API key found in request Authorization header is invalid."). Check the key (a personal API key starts with phx_; a project API key, phc_, does not work here) and the region or host.',
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
						'PostHog answered 404 "Project not found.": check the Project ID (the number in Settings → Project, not the project API key or "@current") and the region or host.',
				},
			},
			...[301, 302, 303, 307, 308].map((status) => ({
				type: 'responseCode' as const,
				properties: { value: status, message: REDIRECT_MESSAGE.replace('{status}', String(status)) },
			})),
		],
	};
}
