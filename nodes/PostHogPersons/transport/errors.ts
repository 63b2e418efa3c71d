import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/**
 * Turns a PostHog error response into a NodeApiError whose message a user understands.
 *
 * PostHog's DRF errors are `{type, code, detail, attr}`; a few hand-built ones are odd:
 * `code` and `detail` swapped (update / update_property without a field), `{"error": "..."}`
 * (properties_at_time), `{"message", "detail"}` (cohorts), `{"success": false, "detail"}`
 * (delete_property). The error is built from the response body only (never from the
 * request), so nothing of the request (such as the Authorization header) can leak into it.
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

/** Reads PostHog's error sentence out of any of the body shapes it uses. */
export function parsePostHogError(body: unknown, statusCode: number): PostHogErrorInfo {
	if (typeof body === 'string') {
		const text = body.trim();
		if (text.startsWith('{')) {
			try {
				return parsePostHogError(JSON.parse(text), statusCode);
			} catch {
				// not JSON after all: fall through to the plain-text handling
			}
		}
		if (text !== '' && !text.startsWith('<')) return { detail: text.slice(0, 500) };
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
		return 'PostHog rate-limited the requests and the wait budget ran out. Raise "Max Wait (Seconds)" under Request Options, lower Concurrency, or split the work.';
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
	/** Extra sentence, e.g. which part of a query PostHog rejected. */
	extraDescription?: string;
}

export function postHogApiError(node: INode, context: ApiErrorContext): NodeApiError {
	const info = parsePostHogError(context.body, context.statusCode);
	const codeLabel = info.code ? ` ${info.code}` : '';
	const attr = info.attr ? ` (field: ${info.attr})` : '';
	const message = `PostHog ${context.statusCode}${codeLabel}: ${info.detail}${attr}`;
	const parts = [
		hintFor(context.statusCode, info),
		context.extraDescription,
		`Request: ${context.method} ${context.path}`,
		context.attempts && context.attempts > 1 ? `Attempts: ${context.attempts}` : undefined,
	].filter(Boolean);
	const errorResponse: JsonObject = {
		httpCode: String(context.statusCode),
		message: info.detail,
		type: info.type ?? null,
		code: info.code ?? null,
		detail: info.detail,
		attr: info.attr ?? null,
	};
	return new NodeApiError(node, errorResponse, {
		message,
		description: parts.join('\n'),
		httpCode: String(context.statusCode),
		itemIndex: context.itemIndex,
	});
}

export function networkApiError(
	node: INode,
	context: { code: string; reason: string; method: string; path: string; itemIndex?: number; attempts: number },
): NodeApiError {
	return new NodeApiError(
		node,
		{ message: context.reason, code: context.code },
		{
			message: `Could not reach PostHog (${context.code}): ${context.reason}`,
			description: `Request: ${context.method} ${context.path}\nAttempts: ${context.attempts}. Check the Region / Host of the credential and the network between n8n and PostHog.`,
			itemIndex: context.itemIndex,
		},
	);
}
