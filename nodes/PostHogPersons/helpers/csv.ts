import type { IDataObject } from 'n8n-workflow';

/**
 * CSV like PostHog's own renderer (djangorestframework-csv, used with `?format=csv`):
 * nested objects become dotted keys (`properties.email`), lists indexed keys
 * (`distinct_ids.0`), the header is the sorted union of all keys, a missing value is an
 * empty cell. Fields are quoted as RFC 4180 requires, lines end with CRLF.
 * Two deliberate differences: booleans are written `true` / `false` (JSON spelling, not
 * Python's), and list indexes sort as numbers (`distinct_ids.2` before `distinct_ids.10`).
 */

/** Column order: dotted paths compared segment by segment, numbers as numbers. */
function compareKeys(left: string, right: string): number {
	const a = left.split('.');
	const b = right.split('.');
	for (let index = 0; index < Math.min(a.length, b.length); index++) {
		if (a[index] === b[index]) continue;
		const numeric = /^\d+$/.test(a[index]) && /^\d+$/.test(b[index]);
		if (numeric) return Number(a[index]) - Number(b[index]);
		return a[index] < b[index] ? -1 : 1;
	}
	return a.length - b.length;
}

function flattenInto(value: unknown, prefix: string, out: Record<string, unknown>) {
	if (Array.isArray(value)) {
		value.forEach((entry, index) => flattenInto(entry, prefix ? `${prefix}.${index}` : String(index), out));
		return;
	}
	if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
		for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
			flattenInto(entry, prefix ? `${prefix}.${key}` : key, out);
		}
		return;
	}
	out[prefix] = value;
}

export function flattenRecord(record: IDataObject): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	flattenInto(record, '', out);
	return out;
}

function cell(value: unknown): string {
	if (value === null || value === undefined) return '';
	const text = value instanceof Date ? value.toISOString() : String(value);
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Renders records as CSV text (header row included; an empty list gives an empty string). */
export function toCsv(records: IDataObject[]): string {
	const rows = records.map(flattenRecord);
	const keys = new Set<string>();
	for (const row of rows) for (const key of Object.keys(row)) keys.add(key);
	const header = [...keys].sort(compareKeys);
	if (header.length === 0) return '';
	const lines = new Array<string>(rows.length + 1);
	lines[0] = header.map(cell).join(',');
	for (let index = 0; index < rows.length; index++) {
		const row = rows[index];
		let line = '';
		for (let column = 0; column < header.length; column++) {
			if (column > 0) line += ',';
			line += cell(row[header[column]]);
		}
		lines[index + 1] = line;
	}
	return lines.join('\r\n') + '\r\n';
}
