/** RFC 4180 reader for the CSV files the node and the sandbox write (quoted fields, doubled quotes, CRLF). */

/** The file as records of cells (header first). */
export function csvRecords(text: string): string[][] {
	const records: string[][] = [];
	let record: string[] = [];
	let field = '';
	let quoted = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (quoted) {
			if (char === '"' && text[index + 1] === '"') {
				field += '"';
				index++;
			} else if (char === '"') quoted = false;
			else field += char;
		} else if (char === '"') quoted = true;
		else if (char === ',') {
			record.push(field);
			field = '';
		} else if (char === '\r' && text[index + 1] === '\n') {
			record.push(field);
			records.push(record);
			record = [];
			field = '';
			index++;
		} else field += char;
	}
	if (field !== '' || record.length > 0) {
		record.push(field);
		records.push(record);
	}
	return records;
}

/** The file as its header and one object per row, keyed by the header. */
export function parseCsv(text: string): { header: string[]; rows: Array<Record<string, string>> } {
	const [header = [], ...data] = csvRecords(text);
	return { header, rows: data.map((cells) => Object.fromEntries(header.map((key, index) => [key, cells[index] ?? '']))) };
}
