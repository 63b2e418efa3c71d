import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { NetworkProblem } from './networkErrors';
import { redact } from './redact';

/**
 * Errors a user understands, built only from the response (never from the request, so nothing
 * of the Authorization header can leak in) and with every text redacted.
 *
 * PostHog's DRF errors are `{type, code, detail, attr}`; a few hand-built ones are odd:
 * `code` and `detail` swapped (update / update_property without a field), `{"error": "..."}`
 * (properties_at_time), `{"message", "detail"}` (cohorts), `{"success": false, "detail"}`
 * (delete_property).
 */

const SCOPE_RE = /API key missing required scope '([^']+)'/;

export interface PostHogErrorInfo {
	/** The sentence PostHog meant, whatever field it was put in. */
	detail: string;
	code?: string;
	type?: string;
	attr?: string;
}

function asText(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (Array.isArray(value) && value.length > 0) return value.map((entry) => asText(entry) ?? '').join(' ');
	return undefined;
}

/** Reads PostHog's error sentence out of any of the body shapes it uses (redacted, at most 500 characters). */
export function parsePostHogError(body: unknown, statusCode: number): PostHogErrorInfo {
	const info = readError(body, statusCode);
	const clean = (text: string | undefined) => (text === undefined ? undefined : redact(text).slice(0, 500));
	return { detail: clean(info.detail) as string, code: clean(info.code), type: clean(info.type), attr: clean(info.attr) };
}

function readError(body: unknown, statusCode: number): PostHogErrorInfo {
	if (typeof body === 'string') {
		const text = body.trim();
		if (text.startsWith('{')) {
			try {
				return readError(JSON.parse(text), statusCode);
			} catch {
				// not JSON after all: fall through to the plain-text handling
			}
		}
		if (text !== '' && !text.startsWith('<')) return { detail: text };
		return { detail: `HTTP ${statusCode}` };
	}
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return { detail: `HTTP ${statusCode}` };
	}
	const data = body as IDataObject;
	let code = asText(data.code);
	let detail = asText(data.detail);
	// update / update_property answer {"code": "This field is required.", "detail": "required"}
	if (code && detail && /\s/.test(code) && !/\s/.test(detail)) {
		[code, detail] = [detail, code];
	}
	detail = detail ?? asText(data.error) ?? asText(data.message);
	if (!detail && data.error && typeof data.error === 'object') {
		detail = asText((data.error as IDataObject).message) ?? asText((data.error as IDataObject).detail);
	}
	if (data.message && data.detail && asText(data.message) !== detail) {
		detail = `${asText(data.message)}: ${detail}`;
	}
	return {
		detail: detail ?? `HTTP ${statusCode}`,
		code,
		type: asText(data.type),
		attr: asText(data.attr),
	};
}

function hintFor(statusCode: number, info: PostHogErrorInfo): string | undefined {
	const scope = SCOPE_RE.exec(info.detail)?.[1];
	if (statusCode === 403 && scope) {
		return `Add the scope "${scope}" to the personal API key (PostHog → Settings → User → Personal API keys → edit the key), or use a key that has it.`;
	}
	if (statusCode === 403 && /does not support personal API key access/i.test(info.detail)) {
		return 'PostHog does not allow personal API keys on this endpoint.';
	}
	if (statusCode === 403) {
		return 'Check that the key may access this project and organization, and that its user is a member of the project.';
	}
	if (statusCode === 401) {
		return 'Check the personal API key in the credential, and that Region / Host point at the PostHog instance the key belongs to.';
	}
	if (statusCode === 404 && /project/i.test(info.detail)) {
		return 'Check the Project ID in the credential: it is the number in PostHog → Settings → Project, not the project API key.';
	}
	if (statusCode === 404) {
		return 'No such person (or record) in this project.';
	}
	if (statusCode === 429) {
		return 'PostHog rate-limited the requests and the node gave up (see below). Raise "Max Wait (Seconds)" under Request Options, lower Concurrency, or split the work.';
	}
	if (statusCode === 512 || statusCode === 504) {
		return 'The query was too slow for PostHog. Narrow the date range or the filters.';
	}
	if (statusCode >= 500) {
		return 'PostHog failed to answer. Requests that are safe to repeat are retried with backoff (see Attempts); try again later.';
	}
	return undefined;
}

export interface ApiErrorContext {
	statusCode: number;
	body: unknown;
	method: string;
	/** Path without host, for the message (never includes credentials). */
	path: string;
	itemIndex?: number;
	attempts?: number;
	/** Extra sentence, e.g. which part of a query PostHog rejected, or why the node gave up. */
	extraDescription?: string;
	/** The credential's key, removed from every text (bearer tokens and phx_ keys always are). */
	secret?: string;
}

function requestLine(context: { method: string; path: string; attempts?: number }): string {
	const attempts = context.attempts && context.attempts > 1 ? `\nAttempts: ${context.attempts}` : '';
	return `Request: ${context.method} ${context.path}${attempts}`;
}

/** An error answer of PostHog (any non-2xx status). */
export function postHogApiError(node: INode, context: ApiErrorContext): NodeApiError {
	const body = typeof context.body === 'string' ? redact(context.body, context.secret) : context.body;
	const info = parsePostHogError(body, context.statusCode);
	const detail = redact(info.detail, context.secret);
	const codeLabel = info.code ? ` ${info.code}` : '';
	const attr = info.attr ? ` (field: ${info.attr})` : '';
	const message = `PostHog ${context.statusCode}${codeLabel}: ${detail}${attr}`;
	const parts = [hintFor(context.statusCode, { ...info, detail }), context.extraDescription, requestLine(context)].filter(Boolean);
	return apiError(node, context.statusCode, { message, description: parts.join('\n'), itemIndex: context.itemIndex }, {
		type: info.type ?? null,
		code: info.code ?? null,
		detail,
		attr: info.attr ?? null,
	});
}

/**
 * A NodeApiError whose every field is given (n8n would otherwise derive message and
 * description from the raw response, and replace the message by a generic status text).
 */
export function apiError(
	node: INode,
	statusCode: number | undefined,
	text: { message: string; description: string; itemIndex?: number },
	data: JsonObject = {},
): NodeApiError {
	const httpCode = statusCode === undefined ? undefined : String(statusCode);
	const error = new NodeApiError(
		node,
		{ message: text.message, ...(httpCode ? { httpCode } : {}), ...data },
		{ message: text.message, description: text.description, itemIndex: text.itemIndex, ...(httpCode ? { httpCode } : {}) },
	);
	error.message = text.message;
	error.description = text.description;
	return error;
}

/** A failure without an HTTP answer (refused, reset, timeout, TLS mismatch, too large). */
export function networkApiError(
	node: INode,
	problem: NetworkProblem,
	context: { method: string; path: string; itemIndex?: number; attempts: number; extraDescription?: string },
): NodeApiError {
	const description = [problem.hint, context.extraDescription, requestLine(context)].filter(Boolean).join('\n');
	return apiError(node, undefined, { message: `${problem.summary} (${problem.code})`, description, itemIndex: context.itemIndex }, { networkError: problem.code });
}

/** First bytes of a body, on one line, for messages. */
export function bodyPreview(text: string, secret?: string): string {
	const flat = redact(text, secret).replace(/\s+/g, ' ').trim();
	return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat === '' ? '(empty)' : flat;
}

/** A 2xx answer that is not the JSON PostHog sends (an SSO login page, a truncated body, a missing field). */
export function unexpectedAnswerError(
	node: INode,
	context: { statusCode: number; contentType: string; text: string; method: string; path: string; itemIndex?: number; attempts?: number; missing?: string[]; secret?: string },
): NodeApiError {
	const what = context.missing ? `without the field${context.missing.length > 1 ? 's' : ''} ${context.missing.join(', ')}` : 'that is not JSON';
	const message = `PostHog answered ${context.statusCode} (${context.contentType || 'no content type'}) with a body ${what}`;
	const description = [
		`Start of the answer: ${bodyPreview(context.text, context.secret)}`,
		'Something between n8n and PostHog (a login page of an SSO gateway, a proxy, a captive portal) may have answered instead of PostHog. Check Region / Host in the credential.',
		requestLine(context),
	].join('\n');
	return apiError(node, context.statusCode, { message, description, itemIndex: context.itemIndex });
}

/** A redirect: the node does not follow it, so the key never goes to the target. */
export function redirectError(
	node: INode,
	context: { statusCode: number; location?: string; origin: string; method: string; path: string; itemIndex?: number; secret?: string },
): NodeApiError {
	let target: URL | undefined;
	try {
		target = context.location ? new URL(context.location, context.origin) : undefined;
	} catch {
		target = undefined;
	}
	const where = target ? redact(target.origin === context.origin ? target.pathname : target.origin, context.secret) : 'an unknown address';
	const message = `The host answered ${context.statusCode} with a redirect to ${where}; the node does not follow redirects`;
	const hint =
		target && target.origin !== context.origin
			? `If PostHog lives at ${target.origin}, set Host (or Region) in the credential to ${target.origin}. The API key was not sent there.`
			: 'A login page or proxy may be in front of PostHog; Host must be the address that serves PostHog\'s API directly.';
	return apiError(node, context.statusCode, { message, description: `${hint}\n${requestLine(context)}`, itemIndex: context.itemIndex });
}
