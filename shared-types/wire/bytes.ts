/*
 * Unsigned LEB128 varints and zigzag for signed values, over plain Uint8Arrays so the same code
 * runs in Node and in the browser. Values up to Number.MAX_SAFE_INTEGER are exact: above 2^31
 * the arithmetic uses division, because JS bit operators truncate to 32 bits.
 */

/** Thrown when bytes cannot be decoded; the message says where and why. */
export class WireFormatError extends Error {
	override name = 'WireFormatError';
}

/** Appends varints and bytes to a buffer that grows by doubling. */
export class ByteWriter {
	#buf: Uint8Array;
	#len = 0;

	constructor(initialCapacity = 1024) {
		this.#buf = new Uint8Array(Math.max(16, initialCapacity));
	}

	get length(): number {
		return this.#len;
	}

	#ensure(extra: number): void {
		if (this.#len + extra <= this.#buf.length) return;
		let size = this.#buf.length * 2;
		while (size < this.#len + extra) size *= 2;
		const next = new Uint8Array(size);
		next.set(this.#buf.subarray(0, this.#len));
		this.#buf = next;
	}

	byte(value: number): void {
		this.#ensure(1);
		this.#buf[this.#len++] = value;
	}

	/** A non-negative safe integer. */
	uint(value: number): void {
		if (!Number.isSafeInteger(value) || value < 0) throw new WireFormatError(`cannot encode ${value} as an unsigned varint`);
		this.#ensure(8);
		while (value >= 0x80) {
			this.#buf[this.#len++] = (value % 0x80) | 0x80;
			value = Math.floor(value / 0x80);
		}
		this.#buf[this.#len++] = value;
	}

	/** An integer in [-2^52, 2^52 − 1] (zigzag: 0, -1, 1, -2 … → 0, 1, 2, 3 …, which doubles it). */
	int(value: number): void {
		if (!Number.isInteger(value) || value < -(2 ** 52) || value >= 2 ** 52) throw new WireFormatError(`cannot encode ${value} as a signed varint (limit ±2^52)`);
		this.uint(value < 0 ? -value * 2 - 1 : value * 2);
	}

	/** The bytes written so far (a copy, so the writer can be reused or dropped). */
	finish(): Uint8Array {
		return this.#buf.slice(0, this.#len);
	}
}

/** Bytes as they may arrive: binary, or base64 text (pushes travel as one text frame). */
export type WireBytes = Uint8Array | ArrayBuffer | string;

/** Base64 of `bytes`, for data small enough that a second (binary) WebSocket frame costs more than the 4/3 size. */
export function toBase64(bytes: Uint8Array): string {
	let bin = '';
	for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(bin);
}

export function toBytes(data: WireBytes): Uint8Array {
	if (data instanceof Uint8Array) return data;
	if (typeof data !== 'string') return new Uint8Array(data);
	let bin: string;
	try {
		bin = atob(data);
	} catch {
		throw new WireFormatError('data is neither binary nor base64');
	}
	const out = new Uint8Array(bin.length);
	for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
	return out;
}

/** Reads what `ByteWriter` wrote; every read past the end throws instead of returning garbage. */
export class ByteReader {
	readonly #buf: Uint8Array;
	#pos = 0;

	constructor(bytes: WireBytes) {
		this.#buf = toBytes(bytes);
	}

	get done(): boolean {
		return this.#pos >= this.#buf.length;
	}

	byte(): number {
		if (this.#pos >= this.#buf.length) throw new WireFormatError(`unexpected end of data at byte ${this.#pos}`);
		return this.#buf[this.#pos++]!;
	}

	uint(): number {
		let value = 0;
		let scale = 1;
		for (;;) {
			const b = this.byte();
			value += (b & 0x7f) * scale;
			if (b < 0x80) break;
			scale *= 0x80;
			if (scale > 2 ** 49) throw new WireFormatError(`varint longer than 8 bytes at byte ${this.#pos}`);
		}
		if (!Number.isSafeInteger(value)) throw new WireFormatError(`varint above 2^53 at byte ${this.#pos}`);
		return value;
	}

	int(): number {
		const z = this.uint();
		return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
	}
}
