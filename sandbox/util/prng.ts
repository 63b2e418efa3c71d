// Small deterministic PRNG helpers (mulberry32) and string hashing.
// Everything the sandbox generates (persons, events, keys, fault dice) comes from these, so the
// same seed always yields the same data.

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** 32-bit FNV-1a hash of a string, optionally mixed with a seed. */
export function hash32(input: string, seed = 0): number {
	let h = (0x811c9dc5 ^ seed) >>> 0;
	for (let i = 0; i < input.length; i++) {
		h ^= input.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	// final avalanche (murmur3 fmix32)
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b) >>> 0;
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35) >>> 0;
	h ^= h >>> 16;
	return h >>> 0;
}

export class Random {
	private a: number;
	constructor(seed: number) {
		this.a = seed >>> 0;
	}
	/** mulberry32 step, in [0, 1) */
	next(): number {
		this.a = (this.a + 0x6d2b79f5) >>> 0;
		let t = this.a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}
	int(maxExclusive: number): number {
		return Math.floor(this.next() * maxExclusive);
	}
	range(min: number, maxInclusive: number): number {
		return min + Math.floor(this.next() * (maxInclusive - min + 1));
	}
	chance(p: number): boolean {
		return this.next() < p;
	}
	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}
	weighted<T>(items: readonly (readonly [T, number])[]): T {
		let total = 0;
		for (const [, w] of items) total += w;
		let r = this.next() * total;
		for (const [item, w] of items) {
			r -= w;
			if (r < 0) return item;
		}
		return items[items.length - 1][0];
	}
	hex(chars: number): string {
		let out = '';
		while (out.length < chars) out += (this.next() * 0x100000000 >>> 0).toString(16).padStart(8, '0');
		return out.length === chars ? out : out.slice(0, chars);
	}
	/** A UUID that looks like a random (version 4) UUID. */
	uuid4(): string {
		for (let w = 0; w < 4; w++) {
			const word = (this.next() * 0x100000000) >>> 0;
			for (let k = 0; k < 8; k++) UUID_NIBBLES[w * 8 + k] = (word >>> (28 - 4 * k)) & 0xf;
		}
		return uuidFromNibbles(UUID_NIBBLES, 4);
	}
	/** A UUID that looks like a time-ordered (version 7) UUID, as posthog-js uses for anonymous distinct ids. */
	uuid7(timestampMs: number): string {
		let ts = Math.floor(timestampMs);
		for (let k = 11; k >= 0; k--) {
			UUID_NIBBLES[k] = ts % 16;
			ts = Math.floor(ts / 16);
		}
		for (let w = 0; w < 3; w++) {
			const word = (this.next() * 0x100000000) >>> 0;
			for (let k = 0; k < 8 && 12 + w * 8 + k < 32; k++) UUID_NIBBLES[12 + w * 8 + k] = (word >>> (28 - 4 * k)) & 0xf;
		}
		return uuidFromNibbles(UUID_NIBBLES, 7);
	}
	alnum(chars: number): string {
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
		let out = '';
		for (let i = 0; i < chars; i++) out += alphabet[this.int(alphabet.length)];
		return out;
	}
}

const HEX_CODES = '0123456789abcdef'.split('').map((c) => c.charCodeAt(0));
const DASH = 45;
const UUID_NIBBLES = new Array<number>(32).fill(0);
const UUID_CODES = new Array<number>(36).fill(DASH);

/** Builds a flat UUID string from 32 nibbles (version nibble and RFC 4122 variant forced). */
function uuidFromNibbles(nibbles: number[], version: number): string {
	let j = 0;
	for (let i = 0; i < 32; i++) {
		if (i === 8 || i === 12 || i === 16 || i === 20) UUID_CODES[j++] = DASH;
		let v = nibbles[i];
		if (i === 12) v = version;
		else if (i === 16) v = (v & 0x3) | 0x8;
		UUID_CODES[j++] = HEX_CODES[v];
	}
	return String.fromCharCode.apply(null, UUID_CODES);
}

/**
 * Build a canonical UUID string from 32 hex chars, forcing the version nibble and the RFC 4122 variant.
 * Built from char codes so V8 stores a flat string (no retained slices), which matters for 200k persons.
 */
export function formatUuid(hex32: string, version: number): string {
	const nibbles = new Array<number>(32);
	for (let i = 0; i < 32; i++) nibbles[i] = parseInt(hex32[i], 16);
	return uuidFromNibbles(nibbles, version);
}

/**
 * A v4-looking UUID derived from a name by four independently seeded 32-bit hashes (~122 bits), so ids
 * generated for different names practically never collide (unlike PRNG streams seeded with 32 bits).
 */
export function uuid4FromName(name: string, seed: number): string {
	for (let w = 0; w < 4; w++) {
		const word = hash32(name, (seed ^ Math.imul(w + 1, 0x9e3779b9)) >>> 0);
		for (let k = 0; k < 8; k++) UUID_NIBBLES[w * 8 + k] = (word >>> (28 - 4 * k)) & 0xf;
	}
	return uuidFromNibbles(UUID_NIBBLES, 4);
}

/** A v7-looking UUID: the timestamp in the first 48 bits, the rest derived from a name like uuid4FromName. */
export function uuid7FromName(timestampMs: number, name: string, seed: number): string {
	let ts = Math.floor(timestampMs);
	for (let k = 11; k >= 0; k--) {
		UUID_NIBBLES[k] = ts % 16;
		ts = Math.floor(ts / 16);
	}
	for (let w = 0; w < 3; w++) {
		const word = hash32(name, (seed ^ Math.imul(w + 11, 0x9e3779b9)) >>> 0);
		for (let k = 0; k < 8 && 12 + w * 8 + k < 32; k++) UUID_NIBBLES[12 + w * 8 + k] = (word >>> (28 - 4 * k)) & 0xf;
	}
	return uuidFromNibbles(UUID_NIBBLES, 7);
}

/** Returns a flat (non-cons, non-sliced) copy of a string. */
export function flatString(s: string): string {
	const codes = new Array<number>(s.length);
	for (let i = 0; i < s.length; i++) codes[i] = s.charCodeAt(i);
	return String.fromCharCode.apply(null, codes);
}

/** Deterministic "name-based" UUID (version 5 look-alike) derived from a string. */
export function uuidFromName(name: string): string {
	let hex = '';
	for (let i = 0; i < 4; i++) hex += hash32(name, i * 0x9e3779b9).toString(16).padStart(8, '0');
	return formatUuid(hex, 5);
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID_BRACED_RE = /^\{[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}$/i;
const UUID_URN_RE = /^urn:uuid:[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Python's `uuid.UUID(str)` accepts hex with or without dashes, braces and a `urn:uuid:` prefix.
 * Returns the canonical lower-case form, or null when Python would raise ValueError.
 */
export function parsePythonUuid(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	let s = value.trim();
	if (UUID_URN_RE.test(s)) s = s.slice(9);
	else if (UUID_BRACED_RE.test(s)) s = s.slice(1, -1);
	else if (!UUID_RE.test(s)) return null;
	const hex = s.replace(/-/g, '').toLowerCase();
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** PostHog's `is_anonymous_id`: distinct ids that look like UUIDs are treated as anonymous. */
export function isAnonymousId(distinctId: string): boolean {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(distinctId);
}
