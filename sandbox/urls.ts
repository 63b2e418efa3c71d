// Pagination URL helpers reproducing PostHog's and DRF's quirks.

/** Python's urllib.parse.quote_plus */
export function quotePlus(s: string): string {
	return encodeURIComponent(s)
		.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
		.replace(/%20/g, '+');
}

/**
 * posthog.utils.format_query_params_absolute_url: replaces (or appends) `offset`/`limit` in the absolute URL.
 * A falsy offset/limit (0 or undefined) leaves the URL unchanged — the source of the page-2 `previous` bug.
 */
export function formatQueryParamsAbsoluteUrl(
	url: string,
	offset?: number,
	limit?: number,
	offsetAlias = 'offset',
	limitAlias = 'limit',
): string {
	let out = url;
	const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	if (offset) {
		const re = new RegExp(`([&?]${esc(offsetAlias)}=)(\\d+)`, 'g');
		if (re.test(out)) out = out.replace(new RegExp(`([&?]${esc(offsetAlias)}=)(\\d+)`, 'g'), `$1${offset}`);
		else out = out + (out.includes('?') ? '&' : '?') + `${offsetAlias}=${offset}`;
	}
	if (limit) {
		const re = new RegExp(`([&?]${esc(limitAlias)}=)(\\d+)`, 'g');
		if (re.test(out)) out = out.replace(new RegExp(`([&?]${esc(limitAlias)}=)(\\d+)`, 'g'), `$1${limit}`);
		else out = out + (out.includes('?') ? '&' : '?') + `${limitAlias}=${limit}`;
	}
	return out;
}

function splitUrl(url: string): { base: string; query: string; fragment: string } {
	const hashIdx = url.indexOf('#');
	const fragment = hashIdx >= 0 ? url.slice(hashIdx) : '';
	const noHash = hashIdx >= 0 ? url.slice(0, hashIdx) : url;
	const qIdx = noHash.indexOf('?');
	return { base: qIdx >= 0 ? noHash.slice(0, qIdx) : noHash, query: qIdx >= 0 ? noHash.slice(qIdx + 1) : '', fragment };
}

function parseQs(query: string): Map<string, string[]> {
	const map = new Map<string, string[]>();
	for (const [k, v] of new URLSearchParams(query)) {
		const list = map.get(k);
		if (list) list.push(v);
		else map.set(k, [v]);
	}
	return map;
}

function encodeSorted(map: Map<string, string[]>): string {
	const keys = [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
	const parts: string[] = [];
	for (const k of keys) for (const v of map.get(k) ?? []) parts.push(`${quotePlus(k)}=${quotePlus(v)}`);
	return parts.join('&');
}

/** rest_framework.utils.urls.replace_query_param */
export function replaceQueryParam(url: string, key: string, value: string | number): string {
	const { base, query, fragment } = splitUrl(url);
	const map = parseQs(query);
	map.set(key, [String(value)]);
	const q = encodeSorted(map);
	return base + (q ? `?${q}` : '') + fragment;
}

/** rest_framework.utils.urls.remove_query_param */
export function removeQueryParam(url: string, key: string): string {
	const { base, query, fragment } = splitUrl(url);
	const map = parseQs(query);
	map.delete(key);
	const q = encodeSorted(map);
	return base + (q ? `?${q}` : '') + fragment;
}

/** DRF LimitOffsetPagination page for an in-memory list. */
export function drfLimitOffsetPage<T>(
	items: T[],
	absoluteUrl: string,
	limitParam: string | undefined,
	offsetParam: string | undefined,
	defaultLimit: number,
	maxLimit: number | null = null,
): { count: number; next: string | null; previous: string | null; results: T[] } {
	const positiveInt = (raw: string | undefined, fallback: number, strict: boolean, cutoff: number | null) => {
		if (raw === undefined) return fallback;
		if (!/^\s*[+-]?\d+\s*$/.test(raw)) return fallback;
		let n = parseInt(raw, 10);
		if (n < 0 || (strict && n === 0)) return fallback;
		if (cutoff !== null) n = Math.min(n, cutoff);
		return n;
	};
	const limit = positiveInt(limitParam, defaultLimit, true, maxLimit);
	const count = items.length;
	const offset = positiveInt(offsetParam, 0, false, null);
	const results = count === 0 || offset > count ? [] : items.slice(offset, offset + limit);
	let next: string | null = null;
	if (offset + limit < count) {
		next = replaceQueryParam(replaceQueryParam(absoluteUrl, 'limit', limit), 'offset', offset + limit);
	}
	let previous: string | null = null;
	if (offset > 0) {
		const url = replaceQueryParam(absoluteUrl, 'limit', limit);
		previous = offset - limit <= 0 ? removeQueryParam(url, 'offset') : replaceQueryParam(url, 'offset', offset - limit);
	}
	return { count, next, previous, results };
}
