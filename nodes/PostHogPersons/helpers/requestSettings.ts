import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { RateLimitMode, RequestClass, RequestSettings } from '../transport';
import { DEFAULT_SETTINGS } from '../transport';

/**
 * The node's "Request Options" (actions/descriptions/requestOptions.ts) as transport settings.
 * Read once per execution, from the first item: pacing and retries apply to the whole run.
 */

const MODES: RateLimitMode[] = ['auto', 'cloud', 'none', 'custom'];
const CLASSES: RequestClass[] = ['persons', 'personsDelete', 'query'];

function number(value: unknown, fallback: number, min: number, max = Infinity, integer = true): number {
	const parsed = Number(value);
	if (value === undefined || value === null || value === '' || !Number.isFinite(parsed)) return fallback;
	const bounded = Math.min(max, Math.max(min, parsed));
	return integer ? Math.floor(bounded) : bounded;
}

export function readRequestSettings(ctx: IExecuteFunctions): RequestSettings {
	const raw = (ctx.getNodeParameter('requestOptions', 0, {}) as IDataObject) ?? {};
	const entries = ((raw.customLimits as IDataObject | undefined)?.limit as IDataObject[] | undefined) ?? [];
	const mode = String(raw.rateLimits ?? DEFAULT_SETTINGS.rateLimits) as RateLimitMode;
	return {
		concurrency: number(raw.concurrency, DEFAULT_SETTINGS.concurrency, 1, 64),
		maxRetries: number(raw.maxRetries, DEFAULT_SETTINGS.maxRetries, 0, 20),
		retryDelayMs: number(raw.retryDelayMs, DEFAULT_SETTINGS.retryDelayMs, 0, 60_000),
		maxWaitSeconds: number(raw.maxWaitSeconds, DEFAULT_SETTINGS.maxWaitSeconds, 1, 86_400, false),
		timeoutSeconds: number(raw.timeoutSeconds, DEFAULT_SETTINGS.timeoutSeconds, 1, 3600, false),
		rateLimits: MODES.includes(mode) ? mode : DEFAULT_SETTINGS.rateLimits,
		customLimits: entries.map((entry) => ({
			appliesTo: CLASSES.includes(entry.appliesTo as RequestClass) ? (entry.appliesTo as RequestClass) : 'persons',
			requests: number(entry.requests, 0, 0),
			perSeconds: number(entry.perSeconds, 60, 0.001, Infinity, false),
		})),
		processesSharingKey: number(raw.processesSharingKey, DEFAULT_SETTINGS.processesSharingKey, 1, 1000),
	};
}
