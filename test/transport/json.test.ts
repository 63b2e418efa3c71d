/**
 * splitResults: a large answer with a top-level "results" array is parsed row by row, and the result
 * (value or error) is always exactly JSON.parse's.
 */
import { findResultsArray, splitResults } from '../../nodes/PostHogPersons/transport/json';

/** What the transport makes of an answer's bytes: split and parsed row by row, or parsed whole. */
function parseJson(bytes: Buffer, minBytes?: number): unknown {
	const split = splitResults(bytes, minBytes);
	if (!split) return JSON.parse(bytes.toString('utf8'));
	split.envelope.results = Array.from({ length: split.rowCount }, (_, index) => split.row(index));
	return split.envelope;
}

/** JSON.parse's outcome: the value, or the error's class and message. */
function outcome(parse: () => unknown): unknown {
	try {
		return { value: parse() };
	} catch (error) {
		return { error: `${(error as Error).name}: ${(error as Error).message}` };
	}
}

function expectSameAsJsonParse(text: string) {
	const bytes = Buffer.from(text, 'utf8');
	const expected = outcome(() => JSON.parse(bytes.toString('utf8')));
	// row by row from the first byte (threshold 0), and at the default threshold
	expect(outcome(() => parseJson(bytes, 0))).toEqual(expected);
	expect(outcome(() => parseJson(bytes))).toEqual(expected);
	// key order is JSON.parse's too
	const got = outcome(() => parseJson(bytes, 0)) as { value?: unknown };
	if (got.value && typeof got.value === 'object') expect(Object.keys(got.value)).toEqual(Object.keys((expected as { value: object }).value));
}

/** A small seeded generator (mulberry32), so failures repeat. */
function random(seed: number) {
	let state = seed;
	return () => {
		state = (state + 0x6d2b79f5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const TRICKY_STRINGS = ['results', '"results":[', '],[', '\\', '"', '{[', ']}', ',', 'é', '日本', '😀', '\u2028', '\n', '\t', 'a\\"b', ''];

function randomValue(next: () => number, depth: number): unknown {
	const pick = next();
	if (depth > 3 || pick < 0.3) {
		const leaf = Math.floor(next() * 6);
		if (leaf === 0) return null;
		if (leaf === 1) return next() < 0.5;
		if (leaf === 2) return Math.round(next() * 1e6) / 100 - 5000;
		return TRICKY_STRINGS[Math.floor(next() * TRICKY_STRINGS.length)] + String(Math.floor(next() * 100));
	}
	if (pick < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
	const object: Record<string, unknown> = {};
	for (let key = Math.floor(next() * 4); key > 0; key--) object[TRICKY_STRINGS[Math.floor(next() * TRICKY_STRINGS.length)] + key] = randomValue(next, depth + 1);
	return object;
}

/** JSON text with random whitespace between tokens (outside strings). */
function spaced(value: unknown, next: () => number): string {
	const space = () => [' ', '\n', '\t', '\r\n', ''][Math.floor(next() * 5)];
	if (Array.isArray(value)) return `[${space()}${value.map((item) => spaced(item, next)).join(`${space()},${space()}`)}${space()}]`;
	if (value !== null && typeof value === 'object') {
		return `{${space()}${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}${space()}:${space()}${spaced(item, next)}`).join(`,${space()}`)}${space()}}`;
	}
	return JSON.stringify(value);
}

describe('parseJson', () => {
	it('gives JSON.parse\'s value for generated answers with a results array (rows with nested arrays, tricky strings, any whitespace)', () => {
		const next = random(7);
		for (let run = 0; run < 400; run++) {
			const answer: Record<string, unknown> = {};
			if (next() < 0.7) answer.columns = ['person', 'name'];
			answer.results = Array.from({ length: Math.floor(next() * 6) }, () => randomValue(next, 0));
			if (next() < 0.7) answer.hasMore = next() < 0.5;
			if (next() < 0.5) answer.next = randomValue(next, 2);
			expectSameAsJsonParse(next() < 0.5 ? JSON.stringify(answer) : spaced(answer, next));
		}
	});

	it('splits the rows of a persons page, and keeps the envelope around them', () => {
		const page = {
			columns: ['person', 'person_display_name -- Person'],
			hasMore: true,
			results: [
				[{ id: 'a', properties: { email: 'x@y.z', note: 'has ],[ and "results":[' } }, { display_name: 'x' }],
				[{ id: 'b', distinct_ids: ['b1', 'b2'], properties: {} }, null],
			],
			limit: 2,
		};
		const bytes = Buffer.from(JSON.stringify(page));
		const found = findResultsArray(bytes);
		expect(found?.bounds).toHaveLength(4);
		expect(bytes.toString('utf8', found!.bounds[2], found!.bounds[3])).toBe(JSON.stringify(page.results[1]));
		expect(parseJson(bytes, 0)).toEqual(page);
	});

	it.each([
		['an empty results array', '{"results":[],"next":null}'],
		['an empty results array with spaces', '{ "results" : [ \n ] }'],
		['results that is not an array', '{"results":{"a":[1,2]},"x":1}'],
		['a second results key (JSON.parse keeps the last)', '{"results":[1,2],"results":[]}'],
		['a second results key holding rows', '{"results":[],"results":[3]}'],
		['an escaped results key', '{"res\\u0075lts":[1,2]}'],
		['"results" as a value', '{"mode":"results","results":[1]}'],
		['a top-level array', '[{"results":[1]}]'],
		['results nested deeper', '{"a":{"results":[1,2]}}'],
		['a trailing comma in the rows', '{"results":[1,2,]}'],
		['an empty row', '{"results":[1,,2]}'],
		['a row that is not JSON', '{"results":[1,tru]}'],
		['text after the object', '{"results":[1]} x'],
		['a second object', '{"results":[1]}{"results":[2]}'],
		['an unterminated string', '{"results":["abc]}'],
		['a missing bracket', '{"results":[[1,2]}'],
		['an empty body', ''],
		['whitespace only', ' \n '],
		['a byte order mark', '\ufeff{"results":[1]}'],
		['HTML from a gateway', '<html><body>Sign in</body></html>'],
		['a lone number', '42'],
		['null', 'null'],
		['unicode separators inside rows', '{"results":["\u2028","\u00e9\ud83d\ude00"]}'],
		['escaped quotes and backslashes', '{"results":["a\\\\","\\"],[\\"",{"k\\"":"v"}]}'],
		['the __proto__ key', '{"__proto__":{"x":1},"results":[{"__proto__":[1]}]}'],
	])('%s: the same value or error as JSON.parse', (_name, text) => {
		expectSameAsJsonParse(text);
	});

	it('invalid UTF-8 decodes the same way row by row', () => {
		const bytes = Buffer.concat(([Buffer.from('{"results":["a'), Buffer.from([0xe2, 0x82]), Buffer.from('",["'), Buffer.from([0xff]), Buffer.from('"]]}')] as unknown as Uint8Array[]));
		expect(parseJson(bytes, 0)).toEqual(JSON.parse(bytes.toString('utf8')));
	});

	it('a page of 1000 persons is split into 1000 rows', () => {
		const rows = Array.from({ length: 1000 }, (_, n) => [{ id: `uuid-${n}`, properties: { email: `p${n}@x.io`, tags: ['a', 'b'] }, distinct_ids: [`d${n}`] }, { display_name: `p${n}` }, '2024-01-01T00:00:00Z']);
		const bytes = Buffer.from(JSON.stringify({ columns: ['person', 'name', 'last_seen_at'], results: rows, hasMore: false }));
		expect(bytes.length).toBeGreaterThan(64 * 1024);
		expect(findResultsArray(bytes)?.bounds).toHaveLength(2000);
		const expected = JSON.parse(bytes.toString('utf8'));
		const parse = jest.spyOn(JSON, 'parse');
		try {
			expect(parseJson(bytes)).toEqual(expected);
			// the envelope once, then every row from its own small string: no string of the whole page
			expect(parse).toHaveBeenCalledTimes(1001);
			expect(Math.max(...parse.mock.calls.map(([text]) => text.length))).toBeLessThan(200);
		} finally {
			parse.mockRestore();
		}
	});
});
