import type { ICredentialsDecrypted, IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

import { anySignal, settleWithin } from './abort';
import type { PageBuffer } from './body';
import { discardBody, readBody } from './body';
import { TransportFailure } from './networkErrors';
import type { PostHogContext } from './types';
import { CREDENTIAL_TYPE } from './types';

/**
 * One HTTP attempt through n8n's request helper (which adds the credential's Authorization
 * header): no redirect is followed (and the key is never sent across origins), the answer is
 * read as a stream within the attempt's deadline and up to the size cap, and every status is
 * returned rather than thrown.
 */

export interface Answer {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	/** The body as received (not yet redacted), when the attempt asked to keep it (`keepBytes`). */
	bytes?: Buffer;
	/** The body decoded as UTF-8 (not yet redacted); with `keepBytes`, decoded when first read. */
	readonly text: string;
}

/** An answer that keeps its bytes and decodes them when its text is first read. */
class KeptAnswer implements Answer {
	private decoded: string | undefined;

	constructor(
		readonly statusCode: number,
		readonly headers: Answer['headers'],
		readonly bytes: Buffer,
	) {}

	get text(): string {
		this.decoded ??= this.bytes.toString('utf8');
		return this.decoded;
	}
}

function answerOf(statusCode: number, headers: Answer['headers'], bytes: Buffer, keepBytes: boolean): Answer {
	if (!keepBytes) return { statusCode, headers, text: bytes.toString('utf8') };
	return new KeptAnswer(statusCode, headers, bytes);
}

export interface AttemptRequest {
	method: IHttpRequestMethods;
	url: string;
	qs?: IDataObject;
	/** Serialised JSON body. */
	body?: string;
	/** Host the key may go to. */
	hostname: string;
	/** The credential n8n decrypted for the execution (see Session): n8n adds its header from it. */
	credentials: ICredentialsDecrypted;
	/** The attempt's deadline, from sending to the last byte. */
	timeoutMs: number;
	/** Fires when the execution is cancelled. */
	cancel?: AbortSignal;
	/** Keep the body's bytes on the answer (for parsing a large page row by row, see json.ts). */
	keepBytes?: boolean;
	/** Read a 2xx body into this buffer (see PageBuffer); any other body gets its own bytes. */
	pageBuffer?: PageBuffer;
}

export function headerValue(headers: Answer['headers'], name: string): string | undefined {
	const value = headers[name.toLowerCase()] ?? headers[name];
	return Array.isArray(value) ? value[0] : value;
}

export async function sendAttempt(ctx: PostHogContext, request: AttemptRequest): Promise<Answer> {
	const deadline = AbortSignal.timeout(Math.max(1, Math.round(request.timeoutMs)));
	const { signal, dispose } = anySignal([deadline, request.cancel]);
	const headers: IDataObject = { Accept: 'application/json' };
	const options: IHttpRequestOptions = {
		method: request.method,
		url: request.url,
		qs: request.qs,
		headers,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// idle-socket timeout of the HTTP client; the deadline above bounds the whole attempt
		timeout: Math.max(1, Math.round(request.timeoutMs)),
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
		allowedDomains: request.hostname,
		encoding: 'stream',
		json: false,
	};
	if (request.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		options.body = request.body;
	}
	try {
		const pending = ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options, {
			credentialsDecrypted: request.credentials,
		}) as Promise<{
			statusCode: number;
			headers?: Answer['headers'];
			body: unknown;
		}>;
		const settled = await settleWithin(pending, signal);
		if ('aborted' in settled) {
			// the answer may still come: nobody reads it
			pending.then((late) => discardBody(late?.body), () => undefined);
			throw new TransportFailure('TIMEOUT', 'deadline passed before the answer started');
		}
		const raw = settled.value;
		const statusCode = Number(raw.statusCode);
		const success = statusCode >= 200 && statusCode < 300;
		// an error answer may be read again after a retry has reused the page buffer: never into it
		const bytes = await readBody(raw.body, signal, undefined, success ? request.pageBuffer : undefined);
		return answerOf(statusCode, raw.headers ?? {}, bytes, request.keepBytes === true);
	} finally {
		dispose();
	}
}
