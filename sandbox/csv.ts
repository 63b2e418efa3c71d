// A port of djangorestframework-csv 3.0.x `PaginatedCSVRenderer` + Python's csv.writer (excel dialect),
// which PostHog's persons viewset adds to every action.

/** Python `str()` of a JSON value as csv.writer would write it. */
function pyStr(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (value === true) return 'True';
	if (value === false) return 'False';
	if (typeof value === 'number') {
		if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
		const s = String(value);
		// Python writes exponents with at least two digits (1e-07, 1e+21)
		return s.replace(/e([+-])(\d)$/, 'e$10$2');
	}
	return String(value);
}

function flattenItem(item: unknown): Map<string, unknown> {
	if (Array.isArray(item)) return flattenList(item);
	if (item !== null && typeof item === 'object') return flattenDict(item as Record<string, unknown>);
	return new Map([['', item]]);
}

function nest(flat: Map<string, unknown>, prefix: string, into: Map<string, unknown>): void {
	for (const [header, val] of flat) into.set(header ? `${prefix}.${header}` : prefix, val);
}

function flattenList(list: unknown[]): Map<string, unknown> {
	const out = new Map<string, unknown>();
	list.forEach((item, index) => nest(flattenItem(item), String(index), out));
	return out;
}

function flattenDict(d: Record<string, unknown>): Map<string, unknown> {
	const out = new Map<string, unknown>();
	for (const [key, item] of Object.entries(d)) nest(flattenItem(item), key, out);
	return out;
}

function csvField(value: string): string {
	if (/[",\r\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
	return value;
}

function writeRow(fields: string[]): string {
	if (fields.length === 1 && fields[0] === '') return '""\r\n';
	return fields.map(csvField).join(',') + '\r\n';
}

/** CSVRenderer.render(data) */
export function renderCsv(data: unknown): string {
	if (data === null || data === undefined) return '';
	const rows: unknown[] = Array.isArray(data) ? data : [data];
	if (rows.length === 0) return '';
	const flat = rows.map((row) => flattenItem(row));
	const headerSet = new Set<string>();
	for (const item of flat) for (const key of item.keys()) headerSet.add(key);
	const header = [...headerSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
	let out = writeRow(header);
	for (const item of flat) out += writeRow(header.map((key) => pyStr(item.get(key))));
	return out;
}

/** PaginatedCSVRenderer.render(data): only the `results` field of a dict payload is rendered. */
export function renderPaginatedCsv(data: unknown): string {
	if (data === null || data === undefined) return '';
	if (!Array.isArray(data)) {
		if (typeof data !== 'object') return renderCsv(data);
		const results = (data as Record<string, unknown>).results;
		return renderCsv(results === undefined ? [] : results);
	}
	return renderCsv(data);
}
