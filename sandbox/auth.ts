// Personal API keys, scopes and PostHog's APIScopePermission rules.

import { Random, hash32 } from './util/prng';
import type { SandboxUser } from './store';

export interface SandboxKeys {
	all: string;
	readOnly: string;
	noQuery: string;
	personOnly: string;
	otherProject: string;
	noInsight: string;
}

export interface KeyInfo {
	name: keyof SandboxKeys;
	value: string;
	scopes: string[];
	/** scoped_teams: project ids the key is restricted to (empty = all the user's projects) */
	scopedTeams: number[];
	user: SandboxUser;
	description: string;
}

export const SANDBOX_USER: SandboxUser = { first_name: 'Sandy', email: 'sandy@sandbox.posthog.test' };

export function makeKeys(seed: number, projectId: number): KeyInfo[] {
	const rng = new Random(hash32('personal-api-keys', seed));
	const key = () => `phx_${rng.alnum(40)}`;
	const other = projectId + 1;
	return [
		{ name: 'all', value: key(), scopes: ['*'], scopedTeams: [], user: SANDBOX_USER, description: 'all scopes (*)' },
		{
			name: 'readOnly',
			value: key(),
			scopes: ['person:read', 'cohort:read', 'activity_log:read', 'query:read', 'insight:read'],
			scopedTeams: [],
			user: SANDBOX_USER,
			description: 'read-only',
		},
		{
			name: 'noQuery',
			value: key(),
			scopes: ['person:write', 'cohort:write', 'activity_log:read', 'insight:write'],
			scopedTeams: [],
			user: SANDBOX_USER,
			description: 'everything except query:read',
		},
		{ name: 'personOnly', value: key(), scopes: ['person:read', 'person:write'], scopedTeams: [], user: SANDBOX_USER, description: 'persons only' },
		{
			name: 'otherProject',
			value: key(),
			scopes: ['*'],
			scopedTeams: [other],
			user: SANDBOX_USER,
			description: `all scopes, restricted to project ${other}`,
		},
		{
			name: 'noInsight',
			value: key(),
			scopes: ['person:write', 'cohort:write', 'activity_log:read', 'query:read'],
			scopedTeams: [],
			user: SANDBOX_USER,
			description: 'everything except insight:read',
		},
	];
}

/** `APIScopePermission`: returns the missing scope, or null when the key has every required scope. */
export function missingScope(keyScopes: string[], required: string[]): string | null {
	if (keyScopes.includes('*')) return null;
	for (const scope of required) {
		const valid = [scope];
		if (scope.endsWith(':read')) valid.push(scope.replace(/:read$/, ':write'));
		if (!valid.some((s) => keyScopes.includes(s))) return scope;
	}
	return null;
}

export type KeySource = 'Authorization header' | 'body' | 'query string';

/**
 * PersonalAPIKeyAuthentication.find_key_with_source: header first (`Bearer <key>`, OAuth `pha_` tokens are
 * skipped), then `personal_api_key` in the JSON body, then in the query string.
 */
export function findKey(
	authorization: string | undefined,
	body: unknown,
	query: Record<string, string | string[]>,
): { key: string; source: KeySource } | null {
	if (authorization) {
		const m = /^Bearer\s+(\S.+)$/.exec(authorization);
		if (m) {
			const token = m[1].trim();
			if (!token.startsWith('pha_')) return { key: token, source: 'Authorization header' };
		}
	}
	if (body && typeof body === 'object' && !Array.isArray(body)) {
		const v = (body as Record<string, unknown>).personal_api_key;
		if (typeof v === 'string' && v) return { key: v, source: 'body' };
	}
	const q = query.personal_api_key;
	const qv = Array.isArray(q) ? q[q.length - 1] : q;
	if (qv) return { key: qv, source: 'query string' };
	return null;
}
