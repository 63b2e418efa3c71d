import type { IDataObject } from 'n8n-workflow';

/**
 * CSV rows from records, written page by page (the header first, so it is fixed before the rest
 * of the rows are known).
 *
 * Columns:
 * - Automatic: one column per top-level field; a field holding an object (a person's `properties`)
 *   gets one column per key instead, named `field.key` (`properties.email`, `properties.a.b` for a
 *   property literally named `a.b`). Deeper objects and all lists are written as JSON in their
 *   cell (`distinct_ids` → `["a","b"]`, `[]` when empty). An object field that is empty in every
 *   sampled record keeps one column (`{}`). The columns come from a sample (the first page) and are
 *   sorted like PostHog's CSV exports; with `otherColumn`, values in fields the sample did not
 *   have go into one JSON column, so nothing is lost. More columns than `maxColumns` is an error.
 * - Chosen: exactly the given names, in order. A name is a top-level field, `field.key` of an
 *   object field, or a property name (looked up in `properties` when there is no such field).
 *
 * Cells: RFC 4180 quoting, CRLF line ends; null/undefined are empty; booleans `true`/`false`;
 * numbers as numbers. With formula protection, text that starts with =, +, -, @, tab or CR gets a
 * leading `'` so spreadsheet apps show it as text instead of running it (numbers are not text).
 */

/** Name of the JSON column with fields first seen after the header was written. */
export const OTHER_FIELDS_COLUMN = 'other_fields';

export interface CsvOptions {
	formulaProtection: boolean;
	/** Chosen column names; undefined = automatic. */
	columns?: string[];
	/** Most automatic columns allowed. */
	maxColumns: number;
}

/** A column: its header name and the path to its value (one segment, or field + key). */
interface Column {
	name: string;
	path: [string] | [string, string];
}

/** Too many automatic columns; the message names the options that fix it. */
export class CsvColumnLimitError extends Error {
	constructor(
		readonly columnCount: number,
		readonly maxColumns: number,
	) {
		super(`The CSV would have ${columnCount} columns, more than Max Columns (${maxColumns})`);
	}
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

function isPlainObject(value: unknown): value is IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** One cell's text. */
export function csvCell(value: unknown, formulaProtection: boolean): string {
	if (value === null || value === undefined) return '';
	let text: string;
	if (typeof value === 'string') {
		text = formulaProtection && FORMULA_START.test(value) ? `'${value}` : value;
	} else if (value instanceof Date) {
		text = value.toISOString();
	} else if (typeof value === 'object') {
		text = JSON.stringify(value);
	} else {
		text = String(value);
	}
	return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Column order: path segments compared one by one, digits as numbers (`x.2` before `x.10`). */
function compareColumns(a: Column, b: Column): number {
	for (let index = 0; index < Math.min(a.path.length, b.path.length); index++) {
		const left = a.path[index];
		const right = b.path[index];
		if (left === right) continue;
		if (/^\d+$/.test(left) && /^\d+$/.test(right)) return Number(left) - Number(right);
		return left < right ? -1 : 1;
	}
	return a.path.length - b.path.length;
}

/** Automatic columns of a sample of records. */
function sampleColumns(records: IDataObject[]): Column[] {
	const expanded = new Map<string, Set<string>>();
	const whole = new Set<string>();
	for (const record of records) {
		for (const [field, value] of Object.entries(record)) {
			if (isPlainObject(value)) {
				let keys = expanded.get(field);
				if (!keys) expanded.set(field, (keys = new Set()));
				for (const key of Object.keys(value)) keys.add(key);
			} else whole.add(field);
		}
	}
	const columns: Column[] = [];
	for (const field of whole) if (!expanded.has(field)) columns.push({ name: field, path: [field] });
	for (const [field, keys] of expanded) {
		// a field that is an object in some records and something else in others keeps its own column too
		if (keys.size === 0 || whole.has(field)) columns.push({ name: field, path: [field] });
		for (const key of keys) columns.push({ name: `${field}.${key}`, path: [field, key] });
	}
	columns.sort(compareColumns);
	// `a.b` as a field name and key `b` of field `a` would share a name: number the later ones
	const seen = new Map<string, number>();
	for (const column of columns) {
		const count = (seen.get(column.name) ?? 0) + 1;
		seen.set(column.name, count);
		if (count > 1) column.name = `${column.name} (${count})`;
	}
	return columns;
}

/** The value of a chosen column name in a record. */
function chosenValue(record: IDataObject, name: string): unknown {
	if (Object.prototype.hasOwnProperty.call(record, name)) return record[name];
	const dot = name.indexOf('.');
	if (dot > 0) {
		const parent = record[name.slice(0, dot)];
		if (isPlainObject(parent)) {
			const rest = name.slice(dot + 1);
			if (Object.prototype.hasOwnProperty.call(parent, rest)) return parent[rest];
			let value: unknown = parent;
			for (const segment of rest.split('.')) value = isPlainObject(value) ? value[segment] : undefined;
			if (value !== undefined) return value;
		}
	}
	const properties = record.properties;
	return isPlainObject(properties) ? properties[name] : undefined;
}

/** Writes the header and the rows of records, page by page. */
export class CsvWriter {
	private columns: Column[] | undefined;
	/** Fields with a column of their own, and the keys with a column of each expanded field. */
	private wholeFields = new Set<string>();
	private expandedKeys = new Map<string, Set<string>>();
	private withOther = false;
	rows = 0;

	constructor(private readonly options: CsvOptions) {}

	get started(): boolean {
		return this.columns !== undefined;
	}

	get columnCount(): number {
		return (this.columns?.length ?? 0) + (this.withOther ? 1 : 0);
	}

	/**
	 * Fixes the columns from a sample (automatic) or the chosen names and returns the header line.
	 * `otherColumn`: more records than the sample may follow, so add the JSON column for their
	 * fields the sample did not have. Automatic columns of an empty sample: no header at all.
	 */
	header(sample: IDataObject[], otherColumn: boolean): string {
		const { columns: chosen, maxColumns, formulaProtection } = this.options;
		if (chosen) {
			this.columns = chosen.map((name) => ({ name, path: [name] }));
		} else {
			this.columns = sampleColumns(sample);
			this.withOther = otherColumn && this.columns.length > 0;
			if (this.columnCount > maxColumns) throw new CsvColumnLimitError(this.columnCount, maxColumns);
			for (const { path } of this.columns) {
				if (path.length === 1) this.wholeFields.add(path[0]);
				else {
					let keys = this.expandedKeys.get(path[0]);
					if (!keys) this.expandedKeys.set(path[0], (keys = new Set()));
					keys.add(path[1]);
				}
			}
		}
		if (this.columns.length === 0) return '';
		const names = this.columns.map((column) => column.name);
		if (this.withOther) names.push(OTHER_FIELDS_COLUMN);
		return names.map((name) => csvCell(name, formulaProtection)).join(',') + '\r\n';
	}

	/** The lines of these records (the header must have been written). */
	lines(records: IDataObject[]): string {
		const columns = this.columns;
		if (!columns) throw new Error('CSV header not written yet');
		if (columns.length === 0) return '';
		const { formulaProtection } = this.options;
		const chosen = this.options.columns !== undefined;
		let text = '';
		for (const record of records) {
			let line = '';
			for (let index = 0; index < columns.length; index++) {
				if (index > 0) line += ',';
				const { path } = columns[index];
				let value: unknown;
				if (chosen) value = chosenValue(record, path[0]);
				else if (path.length === 1) value = record[path[0]];
				else {
					const parent = record[path[0]];
					value = isPlainObject(parent) ? parent[path[1]] : undefined;
				}
				line += csvCell(value, formulaProtection);
			}
			if (this.withOther) line += ',' + csvCell(this.otherFields(record), formulaProtection);
			text += line + '\r\n';
		}
		this.rows += records.length;
		return text;
	}

	/** Values of the record that no automatic column holds, keyed by their column name; undefined if none. */
	private otherFields(record: IDataObject): IDataObject | undefined {
		let other: IDataObject | undefined;
		for (const field in record) {
			const value = record[field];
			if (value === undefined || this.wholeFields.has(field)) continue;
			const keys = this.expandedKeys.get(field);
			if (keys && isPlainObject(value)) {
				for (const key in value) {
					if (value[key] !== undefined && !keys.has(key)) (other ??= {})[`${field}.${key}`] = value[key];
				}
			} else (other ??= {})[field] = value;
		}
		return other;
	}
}
