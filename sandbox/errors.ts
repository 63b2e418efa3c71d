// Error responses in the shape PostHog's exception handler (drf-exceptions-hog) produces:
// {"type": ..., "code": ..., "detail": ..., "attr": ...}

export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
		readonly headers: Record<string, string> = {},
		/** Raw (non-JSON) body, e.g. a proxy's HTML error page. */
		readonly raw?: { contentType: string; text: string },
	) {
		super(typeof body === 'object' && body && 'detail' in body ? String((body as { detail: unknown }).detail) : `HTTP ${status}`);
	}
}

export function hogError(type: string, code: string, detail: unknown, attr: string | null = null): Record<string, unknown> {
	return { type, code, detail, attr };
}

export const errors = {
	validation(detail: string, attr: string | null = null, code = 'invalid_input'): ApiError {
		return new ApiError(400, hogError('validation_error', code, detail, attr));
	},
	parse(detail: string): ApiError {
		return new ApiError(400, hogError('invalid_request', 'parse_error', detail));
	},
	notFound(detail = 'Not found.'): ApiError {
		return new ApiError(404, hogError('invalid_request', 'not_found', detail));
	},
	methodNotAllowed(method: string, detail?: string): ApiError {
		return new ApiError(405, hogError('invalid_request', 'method_not_allowed', detail ?? `Method "${method}" not allowed.`));
	},
	unsupportedMediaType(mediaType: string): ApiError {
		return new ApiError(415, hogError('invalid_request', 'unsupported_media_type', `Unsupported media type "${mediaType}" in request.`));
	},
	notAcceptable(): ApiError {
		return new ApiError(406, hogError('invalid_request', 'not_acceptable', 'Could not satisfy the request Accept header.'));
	},
	permissionDenied(detail: string): ApiError {
		return new ApiError(403, hogError('authentication_error', 'permission_denied', detail));
	},
	serverError(): ApiError {
		return new ApiError(500, hogError('server_error', 'error', 'A server error occurred.'));
	},
};

/** DRF's `Throttled` wording: "Request was throttled. Expected available in N second(s)." */
export function throttledError(waitSeconds: number, retryAfter: number | null = waitSeconds): ApiError {
	const detail = `Request was throttled. Expected available in ${waitSeconds} second${waitSeconds === 1 ? '' : 's'}.`;
	const headers: Record<string, string> = {};
	if (retryAfter !== null) headers['Retry-After'] = String(retryAfter);
	return new ApiError(429, hogError('throttled_error', 'throttled', detail), headers);
}
