import type { NetworkFailure } from './retry';

/**
 * Failures without an HTTP answer: what happened, in words a user can act on, and whether the
 * request may have reached PostHog (which decides whether it may be repeated).
 */
export interface NetworkProblem {
	failure: NetworkFailure;
	/** Error code (ECONNRESET, EPROTO, ...) or a name of the node's own (TIMEOUT, TOO_LARGE, INCOMPLETE). */
	code: string;
	/** One short sentence for the error message. */
	summary: string;
	/** What to check or change. */
	hint?: string;
}

/** The node's own failure codes, raised by the body reader and the deadline. */
export class TransportFailure extends Error {
	constructor(
		readonly code: 'TIMEOUT' | 'TOO_LARGE' | 'INCOMPLETE',
		message: string,
	) {
		super(message);
		this.name = 'TransportFailure';
	}
}

const NOT_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN']);
const INTERRUPTED = new Set([
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
	'ERR_STREAM_PREMATURE_CLOSE',
	'ERR_BAD_RESPONSE',
	'UND_ERR_SOCKET',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENETDOWN',
]);
const TLS_PLAIN_HTTP = /wrong version number|WRONG_VERSION_NUMBER|packet length too long|http request/i;

/** Error codes found on the error or its causes (n8n wraps the HTTP client's error). */
function codesOf(error: unknown): string[] {
	const codes: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth++) {
		const record = current as Record<string, unknown>;
		for (const value of [record.code, (record.context as Record<string, unknown> | undefined)?.code]) {
			if (typeof value === 'string' && /^(E[A-Z_]+|ERR_[A-Z_]+|UND_ERR[A-Z_]*|[A-Z_]*CERT[A-Z_]*|UNABLE_TO_[A-Z_]+)$/.test(value)) codes.push(value);
		}
		current = record.cause ?? record.error;
	}
	return codes;
}

function messagesOf(error: unknown): string {
	const parts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth++) {
		const message = (current as { message?: unknown }).message;
		if (typeof message === 'string') parts.push(message);
		current = (current as Record<string, unknown>).cause ?? (current as Record<string, unknown>).error;
	}
	if (parts.length === 0) parts.push(String(error));
	return parts.join(' | ');
}

/** Classifies a failed attempt; undefined when it is not a network failure at all. */
export function networkProblem(error: unknown, context: { origin: string; timeoutSeconds: number }): NetworkProblem | undefined {
	if (error instanceof TransportFailure) {
		if (error.code === 'TIMEOUT') {
			return {
				failure: 'interrupted',
				code: 'TIMEOUT',
				summary: `No complete answer within the Timeout of ${context.timeoutSeconds} s`,
				hint: 'PostHog (or a proxy in between) did not finish answering in time. Raise "Timeout (Seconds)" under Request Options, or narrow the request.',
			};
		}
		if (error.code === 'TOO_LARGE') return { failure: 'fatal', code: 'TOO_LARGE', summary: error.message, hint: 'Lower the page size (Page Size or Limit) so each answer is smaller.' };
		return {
			failure: 'interrupted',
			code: 'INCOMPLETE',
			summary: `The connection closed before the answer was complete (${error.message})`,
			hint: 'The network or a proxy cut the answer off. Requests that are safe to repeat are retried.',
		};
	}
	const codes = codesOf(error);
	const text = messagesOf(error);
	const host = context.origin.replace(/^https?:\/\//, '');
	if (codes.some((code) => code === 'EPROTO' || code.includes('WRONG_VERSION')) || TLS_PLAIN_HTTP.test(text)) {
		const plain = context.origin.replace(/^https:/, 'http:');
		return {
			failure: 'fatal',
			code: 'EPROTO',
			summary: `The server at ${context.origin} does not speak HTTPS (it answered in plain HTTP)`,
			hint: `If your PostHog is served over plain HTTP, set Host to ${plain} in the credential.`,
		};
	}
	const code = codes.find((candidate) => NOT_SENT.has(candidate) || INTERRUPTED.has(candidate)) ?? codes[0];
	if (code === 'ECONNREFUSED') {
		return { failure: 'notSent', code, summary: `Could not connect to ${host} (connection refused)`, hint: 'Check Host / Region in the credential, and that PostHog is running.' };
	}
	if (code === 'EAI_AGAIN') {
		return { failure: 'notSent', code, summary: `Could not look up ${host} (DNS did not answer)`, hint: 'Check the network and DNS between n8n and PostHog.' };
	}
	if (code === 'ENOTFOUND') {
		return { failure: 'fatal', code, summary: `The host name of ${host} does not exist`, hint: 'Check Host / Region in the credential.' };
	}
	if (code !== undefined && (code.includes('CERT') || code.startsWith('UNABLE_TO_') || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
		return { failure: 'fatal', code, summary: `The TLS certificate of ${host} was not accepted (${code})`, hint: 'Check that Host is the address your PostHog certificate is issued for.' };
	}
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'ERR_SOCKET_CONNECTION_TIMEOUT' || /timeout/i.test(text)) {
		return {
			failure: 'interrupted',
			code: code ?? 'ETIMEDOUT',
			summary: `No answer within the Timeout of ${context.timeoutSeconds} s`,
			hint: 'PostHog (or a proxy in between) did not answer in time. Raise "Timeout (Seconds)" under Request Options, or check that the host is reachable.',
		};
	}
	if (code !== undefined && INTERRUPTED.has(code)) {
		return {
			failure: 'interrupted',
			code,
			summary: `The connection to ${host} broke off (${code})`,
			hint: 'The network or a proxy closed the connection. Requests that are safe to repeat are retried.',
		};
	}
	if (/socket hang up|aborted|premature close/i.test(text)) {
		return { failure: 'interrupted', code: code ?? 'ECONNRESET', summary: `The connection to ${host} broke off`, hint: 'Requests that are safe to repeat are retried.' };
	}
	if (code !== undefined) return { failure: 'fatal', code, summary: `Could not reach PostHog at ${host} (${code})`, hint: 'Check Host / Region in the credential and the network between n8n and PostHog.' };
	return undefined;
}
