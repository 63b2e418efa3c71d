/**
 * Scenario "types": the node, its tool variant and the credential over n8n's REST API, and the
 * credential test (including a host that redirects to another origin: that origin gets no key).
 */
import * as http from 'node:http';
import * as path from 'node:path';

import type { Sandbox } from '../../../sandbox';
import type { Scenario } from '../lib/checks';
import { N8nClient } from '../lib/n8n';
import { CREDENTIAL_TYPE, NODE_TYPE, PACKAGE_NAME, ROOT, TOOL_NODE_TYPE } from '../lib/paths';
import { logged, type E2eScenario } from '../lib/runHelpers';
import { CREDENTIAL_ID, CREDENTIAL_NAME, credentialData } from '../lib/setup';

interface CredentialRules {
	[status: number]: string;
}

function credentialRules(): CredentialRules {
	// the credential class n8n loaded (the same build that was packed)
	const file = path.join(ROOT, 'dist', 'credentials', 'PostHogPersonsApi.credentials.js');
	const { PostHogPersonsApi } = require(file);
	const rules: CredentialRules = {};
	for (const rule of new PostHogPersonsApi().test.rules ?? []) {
		if (rule.type === 'responseCode') rules[rule.properties.value] = rule.properties.message;
	}
	return rules;
}

/**
 * n8n 1.x applies a credential's responseCode rules only to answers it did not turn into an error
 * first, so a refused test shows n8n's own message for the status instead of the credential's.
 */
const N8N_1X_MESSAGES: Record<number, string> = {
	401: 'Authorization failed - please check your credentials',
	403: 'Forbidden - perhaps check your credentials?',
	404: 'The resource you are requesting could not be found',
	302: 'Request failed with status code 302',
	307: 'Request failed with status code 307',
};

async function scenarioTypes(s: Scenario, client: N8nClient, sandbox: Sandbox, n8nMajor: number): Promise<void> {
	const unauthenticated = await new N8nClient(client.url).request('GET', '/types/nodes.json');
	s.equal(unauthenticated.status, 401, '/types/nodes.json needs a login (401 without the cookie)');
	const types = await client.ok('GET', '/types/nodes.json');
	s.check(Array.isArray(types) && types.length > 100, 'n8n lists its node types', Array.isArray(types) ? types.length : typeof types);
	const node = (types as any[]).find((t) => t.name === NODE_TYPE);
	const tool = (types as any[]).find((t) => t.name === TOOL_NODE_TYPE);
	s.check(Boolean(node), `${NODE_TYPE} is listed`);
	s.check(Boolean(tool), `${TOOL_NODE_TYPE} (AI tool variant) is listed`);
	s.equal(node?.displayName, 'PostHog Persons', 'display name');
	s.check((node?.credentials ?? []).some((c: { name: string }) => c.name === CREDENTIAL_TYPE), `the node uses ${CREDENTIAL_TYPE}`, node?.credentials);
	const resources = (node?.properties ?? []).find((p: { name: string }) => p.name === 'resource')?.options?.map((o: { value: string }) => o.value);
	s.check(Array.isArray(resources) && resources.includes('person') && resources.includes('insight'), 'resources person and insight', resources);
	s.check(Array.isArray(tool?.outputs) && JSON.stringify(tool.outputs).includes('ai_tool'), 'the tool variant outputs ai_tool', tool?.outputs);
	// the editor's "Docs" link: codex primaryDocumentation (n8n appends utm parameters), the package's README on npm
	s.equal(node?.codex?.resources?.primaryDocumentation?.[0]?.url, `https://www.npmjs.com/package/${PACKAGE_NAME}`, "the node's Docs link is this package's README on npm");

	const credentialTypes = await client.ok('GET', '/types/credentials.json');
	s.check((credentialTypes as any[]).some((c) => c.name === CREDENTIAL_TYPE), `credential type ${CREDENTIAL_TYPE} is listed`);

	// credential test: POST /rest/credentials/test {credentials: {id, name, type, data}} (n8n's CredentialsController)
	const credentialRulesByStatus = credentialRules();
	const rules = n8nMajor >= 2 ? credentialRulesByStatus : N8N_1X_MESSAGES;
	const whose = n8nMajor >= 2 ? "the credential's" : "n8n 1.x's own";
	const good = credentialData({ url: sandbox.url, projectId: sandbox.projectId, apiKey: sandbox.keys.all });
	const testWith = async (label: string, data: Record<string, string>) => {
		sandbox.clearRequests();
		const answer = await client.ok('POST', '/rest/credentials/test', {
			credentials: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data },
		});
		const calls = logged(sandbox, 'GET', /\/persons\/?$/);
		s.note(`credential test "${label}": n8n ${JSON.stringify(answer.data)}; sandbox ${calls.map((c) => `${c.method} ${c.path}?${new URLSearchParams(c.query as Record<string, string>)} -> ${c.status}`).join(', ')}`);
		return { result: answer.data as { status: string; message: string }, calls };
	};

	const ok = await testWith('good key', good);
	s.equal(ok.result.status, 'OK', 'the stored credential tests OK');
	s.equal(ok.calls.length, 1, 'the test made one request to the sandbox');
	s.equal(ok.calls[0]?.path, `/api/projects/${sandbox.projectId}/persons/`, 'it lists the persons of the project');
	s.equal(ok.calls[0]?.keyName, 'all', 'with the stored key');

	const badKey = await testWith('bad key', { ...good, apiKey: `phx_${'x'.repeat(40)}` });
	s.equal(badKey.calls[0]?.status, 401, 'the sandbox rejects the bad key with 401');
	s.equal(badKey.result, { status: 'Error', message: rules[401] }, `n8n shows ${whose} 401 message`);

	const wrongProject = await testWith('wrong project id', { ...good, projectId: String(sandbox.projectId + 4242) });
	const status = wrongProject.calls[0]?.status;
	s.check(status === 403 || status === 404, 'the sandbox refuses the unknown project (403/404)', status);
	s.equal(wrongProject.result, { status: 'Error', message: rules[status ?? 0] }, `n8n shows ${whose} ${status} message`);

	const otherProjectKey = await testWith('key of another project', { ...good, apiKey: sandbox.keys.otherProject });
	s.equal(otherProjectKey.calls[0]?.status, 403, 'the sandbox refuses a key restricted to another project with 403');
	s.equal(otherProjectKey.result, { status: 'Error', message: rules[403] }, `n8n shows ${whose} 403 message`);

	await redirectChecks(s, client, good, rules, whose);
}

interface Seen {
	url: string;
	authorization?: string;
}

/** A loopback server recording what it receives; `answer` decides the reply. */
async function recordingServer(answer: (res: http.ServerResponse) => void): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
	const seen: Seen[] = [];
	const server = http.createServer((req, res) => {
		seen.push({ url: req.url ?? '/', authorization: req.headers.authorization });
		answer(res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}`,
		seen,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/**
 * The credential test against a host that redirects to another origin (as an SSO gateway or a
 * moved instance does): n8n's request path would follow and forward the Authorization header;
 * the credential's test request must not, and the other origin must receive no key.
 */
async function redirectChecks(s: Scenario, client: N8nClient, good: Record<string, string>, rules: CredentialRules, whose: string): Promise<void> {
	const key = `phx_${'r'.repeat(40)}`;
	const other = await recordingServer((res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ results: [], next: null }));
	});
	try {
		for (const status of [302, 307]) {
			const redirecting = await recordingServer((res) => {
				res.writeHead(status, { location: `${other.url}/api/projects/${good.projectId}/persons/?limit=1` });
				res.end();
			});
			try {
				const answer = await client.ok('POST', '/rest/credentials/test', {
					credentials: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data: { ...good, host: redirecting.url, apiKey: key } },
				});
				const result = answer.data as { status: string; message: string };
				s.note(`credential test against a ${status} redirect: n8n ${JSON.stringify(result)}; redirecting host saw ${redirecting.seen.length}, other origin saw ${JSON.stringify(other.seen)}`);
				s.equal(redirecting.seen.map((entry) => entry.authorization), [`Bearer ${key}`], `${status}: the configured host received the key once`);
				s.equal(other.seen.filter((entry) => entry.authorization !== undefined), [], `${status}: the other origin received no key`);
				s.equal(result, { status: 'Error', message: rules[status] }, `${status}: n8n shows ${whose} redirect message`);
			} finally {
				await redirecting.close();
			}
		}
	} finally {
		await other.close();
	}
}

export const typesScenario: E2eScenario = {
	key: 'types',
	title: 'Node types listing and credential test (REST)',
	stage: 'server',
	run: (s, env) => scenarioTypes(s, env.client as N8nClient, env.sandbox, env.instance.host.major),
};
