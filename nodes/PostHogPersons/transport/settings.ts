import type { IDataObject } from 'n8n-workflow';

import type { PostHogContext, RequestClass } from './types';

export type RateLimitMode = 'auto' | 'cloud' | 'none' | 'custom';

export interface RequestSettings {
	concurrency: number;
	maxRetries: number;
	retryDelayMs: number;
	maxWaitSeconds: number;
	timeoutSeconds: number;
	rateLimits: RateLimitMode;
	customLimits: Array<{ appliesTo: RequestClass; requests: number; perSeconds: number }>;
}

export const DEFAULT_SETTINGS: RequestSettings = {
	concurrency: 1,
	maxRetries: 5,
	retryDelayMs: 1000,
	maxWaitSeconds: 300,
	timeoutSeconds: 120,
	rateLimits: 'auto',
	customLimits: [],
};

/** Settings of the node's "Request Options" (defaults outside an execution, e.g. list search). */
export function readSettings(ctx: PostHogContext): RequestSettings {
	let raw: IDataObject = {};
	if ('getInputData' in ctx) {
		raw = (ctx.getNodeParameter('requestOptions', 0, {}) as IDataObject) ?? {};
	}
	const customLimits = (((raw.customLimits as IDataObject | undefined)?.limit as IDataObject[]) ?? []).map(
		(entry) => ({
			appliesTo: String(entry.appliesTo ?? 'persons') as RequestClass,
			requests: Number(entry.requests ?? 0),
			perSeconds: Number(entry.perSeconds ?? 60),
		}),
	);
	return {
		concurrency: Math.max(1, Math.floor(Number(raw.concurrency ?? DEFAULT_SETTINGS.concurrency))),
		maxRetries: Math.max(0, Math.floor(Number(raw.maxRetries ?? DEFAULT_SETTINGS.maxRetries))),
		retryDelayMs: Math.max(0, Number(raw.retryDelayMs ?? DEFAULT_SETTINGS.retryDelayMs)),
		maxWaitSeconds: Math.max(0, Number(raw.maxWaitSeconds ?? DEFAULT_SETTINGS.maxWaitSeconds)),
		timeoutSeconds: Math.max(1, Number(raw.timeoutSeconds ?? DEFAULT_SETTINGS.timeoutSeconds)),
		rateLimits: String(raw.rateLimits ?? DEFAULT_SETTINGS.rateLimits) as RateLimitMode,
		customLimits,
	};
}
