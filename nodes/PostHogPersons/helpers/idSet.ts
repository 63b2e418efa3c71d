/**
 * A set of person IDs (`has`, `add`, `size`) for de-duplicating persons across the pages of one
 * run, built to hold a million UUIDs in little memory and time.
 *
 * A `Set<string>` keeps every ID as a 36-character string plus a hash-table entry. Here an ID in
 * canonical UUID form (8-4-4-4-12 hex digits, dashes at positions 8, 13, 18 and 23, either case) is
 * parsed into four 32-bit words stored in typed arrays: 16 bytes of key per UUID (in chunks of 64
 * KiB), plus 8 to 16 bytes for an open-addressing index (linear probing, at most half full); the
 * string itself is not retained. UUIDs are equal when their hex digits are, whatever the case. Any
 * other string (not in that form, including the empty string) is kept as-is in an ordinary
 * `Set<string>`, so it is never equal to a UUID.
 *
 * The hash mixes all four words (person UUIDs are often version 7, whose first 48 bits are a
 * timestamp) with a random seed per set, so IDs chosen by a server cannot be made to collide.
 */
export class IdSet {
	/**
	 * UUIDs in insertion order, four words each, in chunks of `CHUNK_ENTRIES` entries. Only the
	 * first chunk starts small and doubles up to that size; later ones are never copied.
	 */
	private readonly chunks: Int32Array[] = [new Int32Array(4 * INITIAL_ENTRIES)];
	/**
	 * The index, a power of two of slots, 0 = empty. A used slot holds the entry number + 1 in the
	 * bits of `slots.length - 1` and the hash's own bits above them, so that most UUIDs that only
	 * share a slot are told apart without reading their keys.
	 */
	private slots = new Int32Array(2 * INITIAL_ENTRIES);
	private count = 0;
	private readonly others = new Set<string>();
	private readonly seed = (Math.random() * 0x100000000) | 0;
	/** The UUID last parsed by `locate` (its words and hash), and the ID and slot it returned. */
	private w0 = 0;
	private w1 = 0;
	private w2 = 0;
	private w3 = 0;
	private hash = 0;
	private lastId: string | undefined;
	private lastSlot = -1;

	get size(): number {
		return this.count + this.others.size;
	}

	has(id: string): boolean {
		const slot = this.locate(id);
		return slot < 0 ? this.others.has(id) : this.slots[slot] !== 0;
	}

	add(id: string): this {
		// `has(id)` then `add(id)` is the usual pattern: the lookup is not repeated.
		const slot = id === this.lastId ? this.lastSlot : this.locate(id);
		if (slot < 0) {
			this.others.add(id);
		} else if (this.slots[slot] === 0) {
			this.insert(slot);
		}
		return this;
	}

	/**
	 * For a UUID: parses it into `w0`..`w3` and `hash`, and returns the slot that holds it or the
	 * empty slot where it belongs. For any other string: -1.
	 */
	private locate(id: string): number {
		this.lastId = id;
		this.lastSlot = -1;
		if (
			id.length !== 36 ||
			id.charCodeAt(8) !== DASH ||
			id.charCodeAt(13) !== DASH ||
			id.charCodeAt(18) !== DASH ||
			id.charCodeAt(23) !== DASH
		) {
			return -1;
		}
		// Each digit is 0..15, or -1 when the character is not a hex digit: `bad` turns negative.
		let bad = 0;
		let w0 = 0;
		let w1 = 0;
		let w2 = 0;
		let w3 = 0;
		for (let i = 0; i < 8; i++) {
			const digit = hexDigit(id.charCodeAt(i));
			bad |= digit;
			w0 = (w0 << 4) | digit;
		}
		for (let i = 9; i < 18; i++) {
			if (i === 13) continue;
			const digit = hexDigit(id.charCodeAt(i));
			bad |= digit;
			w1 = (w1 << 4) | digit;
		}
		for (let i = 19; i < 28; i++) {
			if (i === 23) continue;
			const digit = hexDigit(id.charCodeAt(i));
			bad |= digit;
			w2 = (w2 << 4) | digit;
		}
		for (let i = 28; i < 36; i++) {
			const digit = hexDigit(id.charCodeAt(i));
			bad |= digit;
			w3 = (w3 << 4) | digit;
		}
		if (bad < 0) return -1;
		const hash = mix(this.seed, w0, w1, w2, w3);
		this.w0 = w0;
		this.w1 = w1;
		this.w2 = w2;
		this.w3 = w3;
		this.hash = hash;

		const chunks = this.chunks;
		const slots = this.slots;
		const mask = slots.length - 1;
		let slot = hash & mask;
		for (;;) {
			const used = slots[slot];
			if (used === 0) break;
			if (((used ^ hash) & ~mask) === 0) {
				const entry = (used & mask) - 1;
				const keys = chunks[entry >> CHUNK_BITS];
				const at = (entry & (CHUNK_ENTRIES - 1)) << 2;
				if (keys[at] === w0 && keys[at + 1] === w1 && keys[at + 2] === w2 && keys[at + 3] === w3) break;
			}
			slot = (slot + 1) & mask;
		}
		this.lastSlot = slot;
		return slot;
	}

	/** Stores the UUID last parsed by `locate` as a new entry, indexed at the empty `slot`. */
	private insert(slot: number): void {
		const chunks = this.chunks;
		const chunk = this.count >> CHUNK_BITS;
		let at = (this.count & (CHUNK_ENTRIES - 1)) << 2;
		if (chunk === chunks.length) {
			chunks.push(new Int32Array(4 * CHUNK_ENTRIES));
		} else if (at === chunks[chunk].length) {
			const grown = new Int32Array(2 * at);
			grown.set(chunks[chunk]);
			chunks[chunk] = grown;
		}
		const keys = chunks[chunk];
		keys[at] = this.w0;
		keys[++at] = this.w1;
		keys[++at] = this.w2;
		keys[++at] = this.w3;
		this.count++;
		const mask = this.slots.length - 1;
		this.slots[slot] = (this.hash & ~mask) | this.count;
		if (2 * this.count > this.slots.length) this.rehash(2 * this.slots.length);
	}

	/** Rebuilds the index with `capacity` (a power of two) slots. */
	private rehash(capacity: number): void {
		const slots = new Int32Array(capacity);
		const mask = capacity - 1;
		let entry = 0;
		for (const keys of this.chunks) {
			for (let at = 0; at < keys.length && entry < this.count; at += 4) {
				const hash = mix(this.seed, keys[at], keys[at + 1], keys[at + 2], keys[at + 3]);
				let slot = hash & mask;
				while (slots[slot] !== 0) slot = (slot + 1) & mask;
				slots[slot] = (hash & ~mask) | ++entry;
			}
		}
		this.slots = slots;
		this.lastId = undefined;
	}
}

const INITIAL_ENTRIES = 16;
/** Entries per chunk of keys: 4096 (64 KiB). */
const CHUNK_BITS = 12;
const CHUNK_ENTRIES = 1 << CHUNK_BITS;
const DASH = 0x2d;

/** Value of each character code 0..255 as a hex digit, -1 if it is not one. */
const HEX_DIGITS = new Int32Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_DIGITS[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
	HEX_DIGITS[0x41 + i] = 10 + i;
	HEX_DIGITS[0x61 + i] = 10 + i;
}

/** Value of one character as a hex digit, -1 if it is not one (any code above 255 included). */
function hexDigit(code: number): number {
	return HEX_DIGITS[code & 0xff] | ((0xff - code) >> 31);
}

/** Murmur3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	return h ^ (h >>> 16);
}

/** The hash of a UUID's four words: each word and the seed go through the finaliser in turn. */
function mix(seed: number, w0: number, w1: number, w2: number, w3: number): number {
	return fmix32(fmix32(fmix32(fmix32(seed ^ w0) ^ w1) ^ w2) ^ w3);
}
