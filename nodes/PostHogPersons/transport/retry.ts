import type { IDataObject } from 'n8n-workflow';

import type { RequestSettings } from './settings';
import type { ApiResponse } from './types';

export const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'ECONNREFUSED',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'UND_ERR_SOCKET',
]);

/** Failures that happened before the request reached PostHog: safe to retry for any request. */
export const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);

/** The network error code of a failed request (searched through causes), if it is one. */
export function networkCode(error: unknown): string | undefined {
	const candidates: unknown[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const record = current as IDataObject;
		candidates.push(record.code, (record.context as IDataObject | undefined)?.code);
		current = record.cause ?? record.error;
	}
	const code = candidates.find((value) => typeof value === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(value));
	if (code) return code as string;
	const message = error instanceof Error ? error.message : String(error);
	if (/socket hang up/i.test(message)) return 'ECONNRESET';
	if (/timeout/i.test(message)) return 'ETIMEDOUT';
	return undefined;
}

function headerValue(headers: ApiResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

export function retryAfterMs(headers: ApiResponse['headers']): number | undefined {
	const value = headerValue(headers, 'retry-after');
	if (value === undefined) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export function backoffMs(settings: RequestSettings, attempt: number): number {
	const exponential = Math.min(30_000, settings.retryDelayMs * 2 ** (attempt - 1));
	// "equal jitter": half fixed, half random, so concurrent retries spread out
	return Math.round(exponential / 2 + (Math.random() * exponential) / 2);
}
