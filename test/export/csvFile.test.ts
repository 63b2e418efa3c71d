/**
 * CSV files of the read operations in n8n-core's engine, binary data in memory (n8n's "default"
 * mode, where n8n collects the stream into one Buffer): the file has exactly the records the
 * items have, over many pages; formulas are neutralised; columns can be chosen and are capped;
 * a failure in the middle of the export is the node's error, not a truncated file.
 */
import type { IDataObject } from 'n8n-workflow';

import { runAgainst, useSandbox } from '../helpers/sandbox';
import { runNode } from '../harness/engine';
import { credentialsFor, scriptedServer } from '../helpers/scriptedServer';
import { NOW, insightNamed } from '../insight/setup';
import { allPersons, csvOf, listOrder } from './util';

const getSandbox = useSandbox({ now: NOW, persons: 400, rateLimits: false });

describe('Get Many as CSV', () => {
	it('the file holds every person of the items, across pages, with the documented columns', async () => {
		const sandbox = getSandbox();
		const params = { resource: 'person', operation: 'getAll', returnAll: true, options: { pageSize: 37 } };
		const items = await runAgainst(sandbox, params);
		const file = await runAgainst(sandbox, { ...params, output: 'csv', fileName: 'all' });
		expect(file.error).toBeUndefined();
		const [item] = file.items;
		expect(item.binary?.data).toMatchObject({ mimeType: 'text/csv', fileName: 'all.csv' });
		const { header, rows } = csvOf(item);
		expect(item.json).toMatchObject({ fileName: 'all.csv', rows: 400, bytes: Buffer.from(item.binary!.data.data, 'base64').length, columns: header.length });
		expect(rows.map((row) => row.uuid)).toEqual(listOrder(allPersons(sandbox)));
		// fixed fields, one column per property seen on the first page, later keys in other_fields
		expect(header.slice(0, 2)).toEqual(['created_at', 'distinct_ids']);
		expect(header).toEqual(expect.arrayContaining(['uuid', 'name', 'is_identified', 'last_seen_at', 'properties.email', 'properties.plan', 'other_fields']));
		rows.forEach((row, index) => {
			const json = items.items[index].json as IDataObject & { properties: IDataObject };
			expect(JSON.parse(row.distinct_ids)).toEqual(json.distinct_ids);
			const fromColumns: IDataObject = {};
			for (const [column, value] of Object.entries(row)) {
				if (column.startsWith('properties.') && value !== '') fromColumns[column.slice('properties.'.length)] = value;
			}
			const other = row.other_fields ? (JSON.parse(row.other_fields) as IDataObject) : {};
			for (const [column, value] of Object.entries(other)) fromColumns[column.replace(/^properties\./, '')] = value;
			// every property is in the file: in its column (as text) or in other_fields (as JSON)
			for (const [key, value] of Object.entries(json.properties)) {
				const written = fromColumns[key];
				if (typeof value === 'object' && value !== null) {
					expect(typeof written === 'string' ? JSON.parse(written) : written).toEqual(value);
				} else expect(String(written)).toBe(String(value));
			}
		});
	});

	it('neutralises formulas by default, keeps numbers, and writes raw text with Escape Formulas off', async () => {
		const sandbox = getSandbox();
		const evil = sandbox.store.createPerson({
			distinctIds: ['=cmd|\' /C calc\'!A0'],
			properties: { email: 'evil@evil.example', company: '=HYPERLINK("http://evil.example","click")', name: '@SUM(1)', signup_count: -5, note: '-2+3' },
		});
		try {
			const params = { resource: 'person', operation: 'getAll', filters: { email: 'evil@evil.example' }, returnAll: true, output: 'csv' };
			const safe = csvOf((await runAgainst(sandbox, params)).items[0]).rows[0];
			expect(safe).toMatchObject({
				'properties.company': '\'=HYPERLINK("http://evil.example","click")',
				'properties.name': "'@SUM(1)",
				'properties.signup_count': '-5',
				'properties.note': "'-2+3",
				distinct_ids: '["=cmd|\' /C calc\'!A0"]',
			});
			const raw = csvOf((await runAgainst(sandbox, { ...params, csvOptions: { escapeFormulas: false } })).items[0]).rows[0];
			expect(raw).toMatchObject({ 'properties.company': '=HYPERLINK("http://evil.example","click")', 'properties.note': '-2+3', 'properties.signup_count': '-5' });
		} finally {
			sandbox.store.deletePerson(evil.uuid);
		}
	});

	it('chosen columns, and the column cap with an error that names the options', async () => {
		const sandbox = getSandbox();
		const wide = Array.from({ length: 30 }, (_, n) =>
			sandbox.store.createPerson({
				distinctIds: [`wide-${n}`],
				properties: Object.fromEntries([['email', `wide${n}@wide.test`], ...Array.from({ length: 20 }, (_, k) => [`key_${n}_${k}`, k])]),
			}),
		);
		try {
			const params = { resource: 'person', operation: 'getAll', returnAll: true, filters: { search: '@wide.test' }, output: 'csv' };
			const capped = await runAgainst(sandbox, params);
			expect(capped.error?.message).toMatch(/^The CSV would have \d+ columns, more than Max Columns \(500\)/);
			expect(capped.error?.description).toMatch(/CSV Options → Columns .* or raise CSV Options → Max Columns/);
			expect(capped.error?.context?.itemIndex).toBe(0);

			const chosen = await runAgainst(sandbox, { ...params, csvOptions: { columns: 'uuid, email\nproperties.key_3_7, distinct_ids' } });
			const { header, rows } = csvOf(chosen.items[0]);
			expect(header).toEqual(['uuid', 'email', 'properties.key_3_7', 'distinct_ids']);
			expect(rows).toHaveLength(30);
			const third = rows.find((row) => row.email === 'wide3@wide.test');
			expect(third).toEqual({ uuid: wide[3].uuid, email: 'wide3@wide.test', 'properties.key_3_7': '7', distinct_ids: '["wide-3"]' });
			expect(chosen.items[0].json.columns).toBe(4);
		} finally {
			for (const person of wide) sandbox.store.deletePerson(person.uuid);
		}
	});

	it('a page that fails in the middle of the file is the node error, with no file item', async () => {
		let queries = 0;
		const server = await scriptedServer((request) => {
			queries++;
			if (queries === 3) return { status: 400, body: { type: 'validation_error', code: 'invalid_input', detail: 'Query failed on page 3', attr: null } };
			// an endless list of persons: the rows asked for (the second page from one row earlier)
			const { offset, limit } = JSON.parse(request.body).query as { offset: number; limit: number };
			const actor = (index: number) => ({ id: `uuid-${index}`, distinct_ids: [`d${index}`], properties: { email: `p${index}@x.io` }, created_at: '2024-01-01T00:00:00Z' });
			const results = Array.from({ length: limit }, (_unused, index) => [actor(offset + index)]);
			return { status: 200, body: { columns: ['person'], results, hasMore: true, limit, offset } };
		});
		try {
			const result = await runNode({
				parameters: { resource: 'person', operation: 'getAll', returnAll: true, output: 'csv', options: { pageSize: 1 }, requestOptions: { maxRetries: 0, rateLimits: 'none' } },
				credentials: credentialsFor(server),
			});
			expect(result.error?.message).toMatch(/Query failed on page 3/);
			expect(result.items).toEqual([]);
		} finally {
			await server.close();
		}
	});
});

describe('the other paged operations as CSV', () => {
	it('Get Trends Persons over many pages: the same persons and values as the items', async () => {
		const sandbox = getSandbox();
		const params = {
			resource: 'insight',
			operation: 'getTrendsPersons',
			returnAll: true,
			insightSource: 'saved',
			insightId: insightNamed(sandbox, 'Daily pageviews').short_id,
			series: '1',
			day: '2024-02-20',
			options: { pageSize: 3 },
		};
		const items = await runAgainst(sandbox, params);
		expect(items.items.length).toBeGreaterThan(6);
		const file = await runAgainst(sandbox, { ...params, output: 'csv' });
		const { rows } = csvOf(file.items[0]);
		expect(rows.map((row) => row.id)).toEqual(items.items.map((item) => item.json.id));
		expect(rows.map((row) => row.event_count)).toEqual(items.items.map((item) => String(item.json.event_count)));
		expect(file.items[0].json).toMatchObject({ rows: items.items.length, missing_actors_count: 0 });
	});

	it('Get Activity of all persons over many pages', async () => {
		const sandbox = getSandbox();
		// some activity: property updates through the API
		for (const person of allPersons(sandbox).slice(0, 5)) {
			await runAgainst(sandbox, { resource: 'person', operation: 'update', person: { __rl: true, mode: 'id', value: person.uuid }, propertiesUi: { property: [{ key: 'tier', value: 'gold' }] } });
		}
		const params = { resource: 'person', operation: 'getActivity', activityOf: 'all', returnAll: true };
		const items = await runAgainst(sandbox, params);
		expect(items.items.length).toBeGreaterThan(0);
		const file = await runAgainst(sandbox, { ...params, output: 'csv' });
		const { rows } = csvOf(file.items[0]);
		expect(rows.map((row) => row.id)).toEqual(items.items.map((item) => String(item.json.id)));
		expect(file.items[0].json.rows).toBe(items.items.length);
	});
});
