import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, WireFormatError, toBase64, toBytes } from './bytes.ts';

function writeUint(value: number): Uint8Array {
	const w = new ByteWriter();
	w.uint(value);
	return w.finish();
}

function writeInt(value: number): Uint8Array {
	const w = new ByteWriter();
	w.int(value);
	return w.finish();
}

describe('unsigned varints', () => {
	// Seven payload bits per byte: the length is ceil(bits / 7), at least one byte.
	const cases: [value: number, bytes: number][] = [
		[0, 1],
		[1, 1],
		[127, 1],
		[128, 2],
		[16_383, 2],
		[16_384, 3],
		[2 ** 31, 5],
		[2 ** 32 + 5, 5],
		[Number.MAX_SAFE_INTEGER, 8]
	];

	it.each(cases)('%d round-trips in %d byte(s)', (value, bytes) => {
		const data = writeUint(value);
		expect(data.length).toBe(bytes);
		const r = new ByteReader(data);
		expect(r.uint()).toBe(value);
		expect(r.done).toBe(true);
	});

	it('encodes 300 as LEB128 (low group first, continuation bit set)', () => {
		expect([...writeUint(300)]).toEqual([0xac, 0x02]);
	});

	it('reads a sequence back in order, from an ArrayBuffer too', () => {
		const w = new ByteWriter();
		for (const [value] of cases) w.uint(value);
		const r = new ByteReader(new Uint8Array(w.finish()).buffer);
		expect(cases.map(() => r.uint())).toEqual(cases.map(([value]) => value));
		expect(r.done).toBe(true);
	});
});

describe('signed (zigzag) varints', () => {
	// Zigzag keeps small magnitudes short whatever the sign: 0, -1, 1, -2 → 0, 1, 2, 3.
	it.each([
		[0, [0]],
		[-1, [1]],
		[1, [2]],
		[-64, [127]],
		[64, [0x80, 0x01]]
	])('%d encodes as %j', (value, bytes) => {
		expect([...writeInt(value)]).toEqual(bytes);
	});

	// `int` promises [-2^52, 2^52 − 1] (zigzag doubles the magnitude), so both ends belong here.
	const values = [0, -1, 1, -(2 ** 40), 2 ** 40, -(2 ** 52), 2 ** 52 - 1];
	it.each(values)('%d round-trips', (value) => {
		const r = new ByteReader(writeInt(value));
		expect(r.int()).toBe(value);
		expect(r.done).toBe(true);
	});
});

describe('ByteWriter refuses values it cannot encode exactly', () => {
	const unsigned: [string, number][] = [
		['negative', -1],
		['fractional', 1.5],
		['NaN', Number.NaN],
		['infinite', Number.POSITIVE_INFINITY],
		['unsafe', 2 ** 53]
	];
	it.each(unsigned)('uint: %s (%d)', (_, value) => {
		const w = new ByteWriter();
		expect(() => w.uint(value)).toThrow(WireFormatError);
		// A refused value must not leave half a varint behind.
		expect(w.length).toBe(0);
	});

	const signed: [string, number][] = [
		['fractional', -0.5],
		['NaN', Number.NaN],
		['infinite', Number.NEGATIVE_INFINITY],
		['unsafe', -(2 ** 53)],
		['just past the top', 2 ** 52],
		['just past the bottom', -(2 ** 52) - 1]
	];
	it.each(signed)('int: %s (%d)', (_, value) => {
		const w = new ByteWriter();
		expect(() => w.int(value)).toThrow(WireFormatError);
		expect(w.length).toBe(0);
	});
});

describe('ByteReader refuses bytes it cannot decode', () => {
	const truncated: [string, number[]][] = [
		['empty input', []],
		['a lone continuation byte', [0x80]],
		['2^31 without its last byte', [...writeUint(2 ** 31)].slice(0, -1)]
	];
	it.each(truncated)('uint: %s', (_, bytes) => {
		expect(() => new ByteReader(new Uint8Array(bytes)).uint()).toThrow(WireFormatError);
	});

	it('byte: past the end', () => {
		const r = new ByteReader(new Uint8Array([7]));
		expect(r.byte()).toBe(7);
		expect(() => r.byte()).toThrow(/end of data/);
	});

	const overlong: [string, number[]][] = [
		['ten bytes of 0xff', new Array<number>(10).fill(0xff)],
		['a nine-byte encoding of zero', [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]],
		['eight bytes worth more than 2^53', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]]
	];
	it.each(overlong)('uint: %s', (_, bytes) => {
		expect(() => new ByteReader(new Uint8Array(bytes)).uint()).toThrow(WireFormatError);
	});
});

describe('ByteWriter growth', () => {
	it.each([1, 2, 3, 7])('grows from a capacity of %d and keeps every byte', (capacity) => {
		const w = new ByteWriter(capacity);
		const values = Array.from({ length: 500 }, (_, i) => i * 7_919 * (i % 5 === 0 ? 1_000_003 : 1));
		for (const v of values) w.uint(v);
		w.byte(0xab);
		const data = w.finish();
		expect(data.length).toBe(w.length);
		const r = new ByteReader(data);
		expect(values.map(() => r.uint())).toEqual(values);
		expect(r.byte()).toBe(0xab);
		expect(r.done).toBe(true);
	});

	it('finish returns a copy that later writes do not touch', () => {
		const w = new ByteWriter(4);
		w.uint(5);
		const first = w.finish();
		w.uint(6);
		expect([...first]).toEqual([5]);
		expect([...w.finish()]).toEqual([5, 6]);
	});
});

describe('base64 (pushes travel as one text frame)', () => {
	it.each([[[]], [[0]], [[255, 0, 128]], [Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256)]])('round-trips %#', (bytes) => {
		const data = new Uint8Array(bytes);
		const text = toBase64(data);
		expect(text).toBe(Buffer.from(data).toString('base64'));
		expect(toBytes(text)).toEqual(data);
	});

	it('refuses text that is not base64', () => {
		expect(() => toBytes('not base64!')).toThrow(WireFormatError);
	});
});
