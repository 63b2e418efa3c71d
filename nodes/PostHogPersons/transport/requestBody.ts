import type { IDataObject } from 'n8n-workflow';

/**
 * The JSON body of a request, checked before anything is sent: nesting deeper than PostHog's
 * queries ever need, or a body above PostHog's upload limit, is the user's input to fix, not a
 * PostHog failure (and serialising 10,000 nested levels would overflow the call stack).
 */

/** Deepest nesting of objects and arrays accepted in a request body. */
export const MAX_BODY_DEPTH = 100;
/** PostHog refuses request bodies above 20 MB (DATA_UPLOAD_MAX_MEMORY_SIZE). */
export const MAX_REQUEST_BYTES = 20 * 1024 * 1024;

export class RequestBodyProblem extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
		this.name = 'RequestBodyProblem';
	}
}

/** Nesting depth of a JSON value, without recursion (so a hostile depth cannot overflow the stack). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
	let deepest = 0;
	const stack: Array<[unknown, number]> = [[value, 0]];
	while (stack.length > 0) {
		const [current, depth] = stack.pop() as [unknown, number];
		if (current === null || typeof current !== 'object') continue;
		const level = depth + 1;
		if (level > deepest) deepest = level;
		if (deepest > stopAt) return deepest;
		for (const child of Array.isArray(current) ? current : Object.values(current)) {
			if (child !== null && typeof child === 'object') stack.push([child, level]);
		}
	}
	return deepest;
}

/** The body as JSON text, or RequestBodyProblem. */
export function serializeBody(body: IDataObject): string {
	const depth = jsonDepth(body, MAX_BODY_DEPTH);
	if (depth > MAX_BODY_DEPTH) {
		throw new RequestBodyProblem(
			`The request body is nested more than ${MAX_BODY_DEPTH} levels deep; nothing was sent`,
			'Check the JSON you entered (for example a Raw JSON Query): PostHog queries are never nested this deeply.',
		);
	}
	const text = JSON.stringify(body);
	if (text.length > MAX_REQUEST_BYTES || Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BYTES) {
		throw new RequestBodyProblem(
			`The request body is larger than ${MAX_REQUEST_BYTES / 1024 / 1024} MB, PostHog's limit; nothing was sent`,
			'Send less per request (fewer IDs per call, a shorter query).',
		);
	}
	return text;
}
