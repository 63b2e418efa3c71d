/**
 * Every text taken from a response (error sentences, bodies shown in messages) passes through
 * here before it reaches an error, an output item or n8n's log: a proxy or server that echoes
 * the request's Authorization header must not put the key back into n8n.
 */

const REDACTED = '[redacted]';

/** `Bearer <token>`, and anything shaped like a PostHog personal API key. */
const SECRET_PATTERNS = [/\bBearer\s+(?!\[redacted\])[^\s"'\\,;}\]]+/gi, /\bphx_[A-Za-z0-9_-]{8,}/g];

/** Removes `secret` (the credential's key) and any bearer token or personal API key from `text`. */
export function redact(text: string, secret?: string): string {
	let result = text;
	if (secret && secret.length >= 4) result = result.split(secret).join(REDACTED);
	for (const pattern of SECRET_PATTERNS) result = result.replace(pattern, (match) => (match.toLowerCase().startsWith('bearer') ? `Bearer ${REDACTED}` : REDACTED));
	return result;
}
