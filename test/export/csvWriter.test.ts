/**
 * The CSV writer on its own: cells (quoting, formula protection, numbers), automatic columns
 * (one per field and per key of an object field, lists and deeper objects as JSON, empty ones,
 * dotted property names, fields first seen after the header), chosen columns, the column cap.
 */
import { CsvColumnLimitError, CsvWriter, csvCell, OTHER_FIELDS_COLUMN } from '../../nodes/PostHogPersons/helpers/csv';
import { csvRecords, parseCsv } from '../helpers/csv';

const automatic = { formulaProtection: true, maxColumns: 500 };

function write(records: Array<Record<string, unknown>>, options = automatic, pages = [records]): string {
	const writer = new CsvWriter(options);
	let text = writer.header(pages[0] as never, pages.length > 1);
	for (const page of pages) text += writer.lines(page as never);
	return text;
}

describe('cells', () => {
	it('neutralises text that a spreadsheet would run as a formula', () => {
		const payloads = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", '-2+3', '@SUM(A1)', '\tx', '\rx'];
		for (const payload of payloads) {
			const [[cell]] = csvRecords(csvCell(payload, true) + '\r\n');
			expect(cell).toBe(`'${payload}`);
		}
		expect(csvCell('=1+1', false)).toBe('=1+1');
	});

	it('leaves numbers, booleans and ordinary text alone; quotes like RFC 4180', () => {
		expect(csvCell(-5, true)).toBe('-5');
		expect(csvCell(1.5, true)).toBe('1.5');
		expect(csvCell(false, true)).toBe('false');
		expect(csvCell('a-b', true)).toBe('a-b');
		expect(csvCell('-5', true)).toBe("'-5"); // text, even when it looks like a number
		expect(csvCell('say "hi", ok\nbye', true)).toBe('"say ""hi"", ok\nbye"');
		expect(csvCell(null, true)).toBe('');
		expect(csvCell(undefined, true)).toBe('');
		expect(csvCell(['a', 'b'], true)).toBe('"[""a"",""b""]"');
		expect(csvCell({}, true)).toBe('{}');
	});
});

describe('automatic columns', () => {
	it('one column per field, one per key of an object field, lists as JSON; sorted by name', () => {
		const text = write([
			{ id: 'p1', distinct_ids: ['a', 'b'], properties: { email: 'a@x.io', plan: 'pro', n10: 1, n2: 2 } },
			{ id: 'p2', distinct_ids: [], properties: { email: 'b@x.io' } },
		]);
		const { header, rows } = parseCsv(text);
		expect(header).toEqual(['distinct_ids', 'id', 'properties.email', 'properties.n10', 'properties.n2', 'properties.plan']);
		expect(rows[0]).toMatchObject({ distinct_ids: '["a","b"]', 'properties.plan': 'pro', 'properties.n10': '1' });
		expect(rows[1]).toMatchObject({ distinct_ids: '[]', 'properties.plan': '' });
	});

	it('keeps empty objects and lists as a column, and deeper objects as JSON', () => {
		const { header, rows } = parseCsv(
			write([{ id: 'p1', tags: [], properties: {}, detail: { changes: [{ field: 'x' }], empty: {} } }]),
		);
		expect(header).toEqual(['detail.changes', 'detail.empty', 'id', 'properties', 'tags']);
		expect(rows[0]).toEqual({ 'detail.changes': '[{"field":"x"}]', 'detail.empty': '{}', id: 'p1', properties: '{}', tags: '[]' });
	});

	it('a property named a.b and a nested property a {b} do not collide', () => {
		const { header, rows } = parseCsv(write([{ properties: { 'a.b': 'dotted', a: { b: 'nested' } } }]));
		expect(header).toEqual(['properties.a', 'properties.a.b']);
		expect(rows[0]).toEqual({ 'properties.a': '{"b":"nested"}', 'properties.a.b': 'dotted' });
	});

	it('names a genuine name clash apart instead of merging it', () => {
		const { header, rows } = parseCsv(write([{ 'x.y': 'field', x: { y: 'key' } }]));
		expect(header).toEqual(['x.y', 'x.y (2)']);
		expect(Object.values(rows[0]).sort()).toEqual(['field', 'key']);
	});

	it('fields first seen after the header go into other_fields as JSON, nothing is lost', () => {
		const first = [{ id: 'p1', properties: { email: 'a@x.io' } }];
		const later = [{ id: 'p2', properties: { email: 'b@x.io', plan: 'pro' }, extra: [1] }];
		const { header, rows } = parseCsv(write([], automatic, [first, later]));
		expect(header).toEqual(['id', 'properties.email', OTHER_FIELDS_COLUMN]);
		expect(rows[0][OTHER_FIELDS_COLUMN]).toBe('');
		expect(JSON.parse(rows[1][OTHER_FIELDS_COLUMN])).toEqual({ 'properties.plan': 'pro', extra: [1] });
	});

	it('more columns than Max Columns is an error that says so', () => {
		const wide = Array.from({ length: 20 }, (_, index) => ({ properties: { [`key${index}`]: index } }));
		const writer = new CsvWriter({ ...automatic, maxColumns: 10 });
		expect(() => writer.header(wide, true)).toThrow(CsvColumnLimitError);
		expect(() => writer.header(wide, true)).toThrow('The CSV would have 21 columns, more than Max Columns (10)');
	});

	it('formula protection in property columns and other_fields; numbers stay numbers', () => {
		const text = write([], automatic, [[{ properties: { '=evil': '=1+1', n: -5 } }], [{ properties: { later: '@x' } }]]);
		const [header, first, second] = csvRecords(text);
		expect(header).toEqual(["properties.=evil", 'properties.n', OTHER_FIELDS_COLUMN]);
		expect(first).toEqual(["'=1+1", '-5', '']);
		expect(JSON.parse(second[2])).toEqual({ 'properties.later': '@x' }); // JSON starts with {, not a formula
	});
});

describe('chosen columns', () => {
	it('exactly the given columns: fields, field.key, bare property names, dotted keys', () => {
		const person = { uuid: 'u1', name: 'Display', properties: { email: 'a@x.io', 'a.b': 'dotted', address: { city: 'Oslo' }, name: 'Ada' } };
		const options = { ...automatic, columns: ['uuid', 'email', 'properties.a.b', 'properties.address.city', 'name', 'properties.name', 'missing'] };
		const { header, rows } = parseCsv(write([person], options));
		expect(header).toEqual(options.columns);
		expect(rows[0]).toEqual({
			uuid: 'u1',
			email: 'a@x.io',
			'properties.a.b': 'dotted',
			'properties.address.city': 'Oslo',
			name: 'Display',
			'properties.name': 'Ada',
			missing: '',
		});
	});

	it('writes the header even without records; Max Columns does not apply', () => {
		const writer = new CsvWriter({ ...automatic, maxColumns: 1, columns: ['uuid', 'email'] });
		expect(writer.header([], true)).toBe('uuid,email\r\n');
	});
});
