// JSON body parsing with the error messages Python's `json` module produces (Django REST framework's
// JSONParser turns them into `JSON parse error - <message>`). JSON.parse does the actual parsing; the
// slow scanner below only runs to explain a failure the way CPython 3.12 would.

export class PyJsonError extends Error {}

export function parseJsonLikePython(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new PyJsonError(explainJsonError(text));
	}
}

/** Validates UTF-8 like Python's codec and returns its error message, or null when valid. */
export function utf8ErrorLikePython(buf: Buffer): string | null {
	let i = 0;
	while (i < buf.length) {
		const b = buf[i];
		let need = 0;
		if (b < 0x80) {
			i++;
			continue;
		} else if (b >= 0xc2 && b <= 0xdf) need = 1;
		else if (b >= 0xe0 && b <= 0xef) need = 2;
		else if (b >= 0xf0 && b <= 0xf4) need = 3;
		else return `'utf-8' codec can't decode byte 0x${b.toString(16).padStart(2, '0')} in position ${i}: invalid start byte`;
		for (let k = 1; k <= need; k++) {
			if (i + k >= buf.length) {
				return `'utf-8' codec can't decode byte 0x${b.toString(16).padStart(2, '0')} in position ${i}: unexpected end of data`;
			}
			const c = buf[i + k];
			if ((c & 0xc0) !== 0x80) {
				return `'utf-8' codec can't decode byte 0x${b.toString(16).padStart(2, '0')} in position ${i}: invalid continuation byte`;
			}
		}
		i += need + 1;
	}
	return null;
}

class Fail extends Error {
	constructor(
		readonly msg: string,
		readonly pos: number,
	) {
		super(msg);
	}
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

function explainJsonError(doc: string): string {
	const ws = (pos: number) => {
		while (pos < doc.length && ' \t\n\r'.includes(doc[pos])) pos++;
		return pos;
	};
	const scanString = (start: number): number => {
		// start points at the opening quote
		let pos = start + 1;
		for (;;) {
			if (pos >= doc.length) throw new Fail('Unterminated string starting at', start);
			const ch = doc[pos];
			if (ch === '"') return pos + 1;
			if (ch === '\\') {
				const esc = doc[pos + 1];
				if (esc === undefined) throw new Fail('Unterminated string starting at', start);
				if (esc === 'u') {
					const hex = doc.slice(pos + 2, pos + 6);
					if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Fail('Invalid \\uXXXX escape', pos + 1);
					pos += 6;
					continue;
				}
				if (!'"\\/bfnrt'.includes(esc)) throw new Fail('Invalid \\escape', pos);
				pos += 2;
				continue;
			}
			if (ch.charCodeAt(0) < 0x20) throw new Fail('Invalid control character at', pos);
			pos++;
		}
	};
	const scanValue = (pos: number): number => {
		const ch = doc[pos];
		if (ch === '"') return scanString(pos);
		if (ch === '{') return scanObject(pos + 1);
		if (ch === '[') return scanArray(pos + 1);
		if (ch === 'n' && doc.startsWith('null', pos)) return pos + 4;
		if (ch === 't' && doc.startsWith('true', pos)) return pos + 4;
		if (ch === 'f' && doc.startsWith('false', pos)) return pos + 5;
		if (ch === 'N' && doc.startsWith('NaN', pos)) throw new Fail("Out of range float values are not JSON compliant: 'NaN'", -1);
		if (ch === 'I' && doc.startsWith('Infinity', pos)) {
			throw new Fail("Out of range float values are not JSON compliant: 'Infinity'", -1);
		}
		if (ch === '-' && doc.startsWith('-Infinity', pos)) {
			throw new Fail("Out of range float values are not JSON compliant: '-Infinity'", -1);
		}
		NUMBER_RE.lastIndex = pos;
		const m = NUMBER_RE.exec(doc);
		if (m && m.index === pos) return pos + m[0].length;
		throw new Fail('Expecting value', pos);
	};
	const scanObject = (pos: number): number => {
		pos = ws(pos);
		if (doc[pos] === '}') return pos + 1;
		for (;;) {
			if (doc[pos] !== '"') throw new Fail('Expecting property name enclosed in double quotes', pos);
			pos = scanString(pos);
			pos = ws(pos);
			if (doc[pos] !== ':') throw new Fail("Expecting ':' delimiter", pos);
			pos = ws(pos + 1);
			pos = scanValue(pos);
			pos = ws(pos);
			if (doc[pos] === '}') return pos + 1;
			if (doc[pos] !== ',') throw new Fail("Expecting ',' delimiter", pos);
			pos = ws(pos + 1);
		}
	};
	const scanArray = (pos: number): number => {
		pos = ws(pos);
		if (doc[pos] === ']') return pos + 1;
		for (;;) {
			pos = scanValue(pos);
			pos = ws(pos);
			if (doc[pos] === ']') return pos + 1;
			if (doc[pos] !== ',') throw new Fail("Expecting ',' delimiter", pos);
			pos = ws(pos + 1);
		}
	};
	try {
		let pos = ws(0);
		pos = scanValue(pos);
		pos = ws(pos);
		if (pos !== doc.length) throw new Fail('Extra data', pos);
		return 'Expecting value: line 1 column 1 (char 0)';
	} catch (err) {
		if (!(err instanceof Fail)) return String(err);
		if (err.pos < 0) return err.msg;
		const lineno = countNewlines(doc, err.pos) + 1;
		const colno = err.pos - doc.lastIndexOf('\n', err.pos - 1);
		return `${err.msg}: line ${lineno} column ${colno} (char ${err.pos})`;
	}
}

function countNewlines(doc: string, end: number): number {
	let n = 0;
	for (let i = 0; i < end; i++) if (doc.charCodeAt(i) === 10) n++;
	return n;
}

/** Python truthiness of a parsed JSON value (`bool(value)`). */
export function pyTruthy(value: unknown): boolean {
	if (value === null || value === undefined || value === false) return false;
	if (value === 0 || value === '') return false;
	if (Array.isArray(value)) return value.length > 0;
	if (typeof value === 'object') return Object.keys(value as object).length > 0;
	return true;
}

/** Python's `repr()` for JSON values, used in pydantic-style messages. */
export function pyRepr(value: unknown): string {
	if (value === null || value === undefined) return 'None';
	if (value === true) return 'True';
	if (value === false) return 'False';
	if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
	if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
	if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
	const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`);
	return `{${entries.join(', ')}}`;
}

export function pyTypeName(value: unknown): string {
	if (value === null || value === undefined) return 'NoneType';
	if (typeof value === 'boolean') return 'bool';
	if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
	if (typeof value === 'string') return 'str';
	if (Array.isArray(value)) return 'list';
	return 'dict';
}
