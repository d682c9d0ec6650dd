import fc from 'fast-check';

/*
 * Generators of hostile input for the fuzz suite (fuzz.spec.ts): wrong types, huge and deep
 * values, NaN/Infinity, lone surrogates, and the keys JSON.parse turns into own properties
 * (`__proto__`, `constructor`) that naive code trips over.
 */

/** Keys that break naive code: prototype names, Object.prototype methods, and the odd empty key. */
export const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', 'then', 'length', ''] as const;

/** An own, enumerable property even for `__proto__` (an object literal would set the prototype). */
export function withKey<T extends object>(target: T, key: string, value: unknown): T {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
	return target;
}

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

export const weirdNumber: fc.Arbitrary<number> = fc.oneof(
	fc.constantFrom(NaN, Infinity, -Infinity, -0, -1, 0.5, -0.5, 1.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e21, -1e21, 100_000, 100_001, 1_000_000, 1e300),
	fc.double(),
	fc.integer({ min: -1_000_000_000, max: 1_000_000_000 })
);

export const nastyString: fc.Arbitrary<string> = fc.oneof(
	fc.string(),
	fc.string({ unit: codeUnit, maxLength: 40 }),
	fc.constantFrom('\ud800', '\udfff', 'a\udc00b', '\ud83d', '\u0000', '\uFFFD', '\uFEFF', 'ready', 'READY', '1', '-1', 'NaN', '__proto__', '<script>', '${x}', '%00'),
	fc.integer({ min: 1_000, max: 50_000 }).map((n) => 'x'.repeat(n))
);

/** `depth` levels of alternating arrays and objects around a number. */
export function nested(depth: number): unknown {
	let value: unknown = 1;
	for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
	return value;
}
export const deep: fc.Arbitrary<unknown> = fc.integer({ min: 10, max: 1_000 }).map(nested);

export const hugeArray: fc.Arbitrary<unknown[]> = fc.oneof(
	fc.integer({ min: 1_025, max: 8_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
	fc.integer({ min: 1_000, max: 3_000 }).map((n) => new Array<unknown>(n).fill('ready'))
);

/** An object whose keys include the nasty ones, as own properties. */
export const nastyObject: fc.Arbitrary<Record<string, unknown>> = fc
	.array(fc.tuple(fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 12 })), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null), fc.constant({}))), {
		maxLength: 5
	})
	.map((entries) => entries.reduce((o, [k, v]) => withKey(o, k, v), {} as Record<string, unknown>));

/** A value of any wrong kind. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
	{ arbitrary: weirdNumber, weight: 3 },
	{ arbitrary: nastyString, weight: 3 },
	{ arbitrary: fc.constantFrom(true, false, null, undefined, [], {}, [[]], [null]), weight: 2 },
	{ arbitrary: fc.anything({ maxDepth: 3, withBoxedValues: false }), weight: 2 },
	{ arbitrary: nastyObject, weight: 2 },
	{ arbitrary: deep, weight: 1 },
	{ arbitrary: hugeArray, weight: 1 },
	{ arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)), weight: 1 }
);

const hasBuffer = (v: unknown, depth = 0): boolean =>
	depth < 50 && (Buffer.isBuffer(v) || (typeof v === 'object' && v !== null && Object.values(v).some((x) => hasBuffer(x, depth + 1))));

/**
 * socket.io-client copies a payload holding binary by assignment (`copy[key] = …`), so an own
 * `__proto__` key is lost on the way: a Buffer stands in as an object no schema accepts.
 */
function asBinaryPacket(v: unknown): unknown {
	if (Buffer.isBuffer(v)) return { _placeholder: true, num: 0 };
	if (Array.isArray(v)) return v.map(asBinaryPacket);
	if (typeof v !== 'object' || v === null) return v;
	const copy: Record<string, unknown> = {};
	for (const key of Object.keys(v)) copy[key] = asBinaryPacket((v as Record<string, unknown>)[key]);
	return copy;
}

/** Event arguments as they reach the server: one Buffer anywhere makes the whole packet binary. */
export function argsOverJson(args: unknown[]): unknown[] {
	const packet = args.some((a) => hasBuffer(a)) ? (asBinaryPacket(args) as unknown[]) : args;
	return packet.map((a) => overJson(a));
}

/** `value` as it reaches the server over Socket.io's JSON (NaN → null, undefined dropped or null). */
export function overJson(value: unknown): unknown {
	const text = JSON.stringify([hasBuffer(value) ? asBinaryPacket(value) : value]);
	return (JSON.parse(text) as unknown[])[0];
}

// ── heartbeats ──────────────────────────────────────────────────────────────────────────────

const HEARTBEAT_KEYS = ['v', 'clusterId', 'totalShards', 'shardIds', 'shards', 'guilds', 'members', 'uptimeMs'] as const;
const SHARD_KEYS = ['id', 'state', 'ping', 'guilds', 'unavailableGuilds'] as const;

type Mutable = Record<string, unknown> & { shardIds: unknown[]; shards: Record<string, unknown>[] };
type Mutation = (hb: Mutable) => unknown;

const index = fc.nat({ max: 7 });

/** One change that (usually) breaks a valid heartbeat; the caller filters the ones that do not. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	fc.tuple(fc.constantFrom(...HEARTBEAT_KEYS), junk).map(([k, v]): Mutation => (hb) => (((hb as Record<string, unknown>)[k] = v), hb)),
	fc.constantFrom(...HEARTBEAT_KEYS).map((k): Mutation => (hb) => (delete hb[k], hb)),
	fc.tuple(fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 20 })), junk).map(([k, v]): Mutation => (hb) => withKey(hb, k, v)),
	fc.tuple(index, fc.constantFrom(...SHARD_KEYS), junk).map(([i, k, v]): Mutation => (hb) => {
		const shard = hb.shards[i % Math.max(1, hb.shards.length)];
		if (typeof shard === 'object' && shard !== null) shard[k] = v;
		return hb;
	}),
	fc.tuple(index, fc.constantFrom(...SHARD_KEYS)).map(([i, k]): Mutation => (hb) => {
		const shard = hb.shards[i % Math.max(1, hb.shards.length)];
		if (typeof shard === 'object' && shard !== null) delete shard[k];
		return hb;
	}),
	fc.tuple(index, fc.constantFrom(...NASTY_KEYS), junk).map(([i, k, v]): Mutation => (hb) => {
		const shard = hb.shards[i % Math.max(1, hb.shards.length)];
		if (typeof shard === 'object' && shard !== null) withKey(shard, k, v);
		return hb;
	}),
	// duplicate shards and duplicate shard ids
	index.map((i): Mutation => (hb) => (hb.shards.length && hb.shards.push(structuredClone(hb.shards[i % hb.shards.length]!)), hb)),
	index.map((i): Mutation => (hb) => (hb.shardIds.length && hb.shardIds.push(hb.shardIds[i % hb.shardIds.length]), hb)),
	// negative, fractional, huge ids
	fc.tuple(index, weirdNumber).map(([i, n]): Mutation => (hb) => ((hb.shardIds[i % Math.max(1, hb.shardIds.length)] = n), hb)),
	fc.tuple(index, weirdNumber).map(([i, n]): Mutation => (hb) => {
		const shard = hb.shards[i % Math.max(1, hb.shards.length)];
		if (typeof shard === 'object' && shard !== null) shard.id = n;
		return hb;
	}),
	// huge arrays: more shards than a cluster may run
	fc.integer({ min: 1_025, max: 2_000 }).map((n): Mutation => (hb) => {
		hb.totalShards = 100_000;
		hb.shardIds = Array.from({ length: n }, (_, i) => i);
		hb.shards = hb.shardIds.map((id) => ({ id, state: 'ready', guilds: 1 }));
		return hb;
	}),
	fc.tuple(fc.constantFrom('shardIds', 'shards'), fc.oneof(hugeArray, deep)).map(([k, v]): Mutation => (hb) => (((hb as Record<string, unknown>)[k] = v), hb)),
	// the whole payload replaced
	junk.map((v): Mutation => () => v)
);

/** Hostile heartbeats built from `valid` (never mutated itself). */
export function badHeartbeat(valid: object): fc.Arbitrary<unknown> {
	return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => {
		let hb: unknown = structuredClone(valid);
		for (const m of ms) {
			if (typeof hb !== 'object' || hb === null || !Array.isArray((hb as Mutable).shards) || !Array.isArray((hb as Mutable).shardIds)) break;
			hb = m(hb as Mutable);
		}
		return hb;
	});
}

// ── HTTP ────────────────────────────────────────────────────────────────────────────────────

/** Header names a client may set (fetch manages the framing ones itself). */
export const headerName = fc.oneof(
	fc.constantFrom('x-forwarded-for', 'content-type', 'authorization', 'cookie', 'accept', 'accept-encoding', 'content-encoding', 'x-http-method-override', 'range', 'if-none-match', 'user-agent'),
	fc.stringMatching(/^x-[a-z0-9-]{1,20}$/)
);
/** Header values: visible ASCII and latin-1, long ones too (no CR, LF or NUL, which fetch refuses). */
export const headerValue = fc.oneof(
	fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
	fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 }),
	fc.integer({ min: 1_000, max: 3_000 }).map((n) => 'a'.repeat(n))
);
export const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 });

export const contentType = fc.oneof(
	{ arbitrary: fc.constant('application/json'), weight: 6 },
	{
		arbitrary: fc.constantFrom(
			undefined,
			'text/plain',
			'APPLICATION/JSON; charset=latin1',
			'application/jsonx',
			'application/json-patch+json',
			'multipart/form-data; boundary=x',
			'application/x-www-form-urlencoded',
			''
		),
		weight: 2
	}
);

/** Raw JSON number tokens JSON.stringify never writes: 1e999 parses as Infinity. */
export const rawNumber = fc.oneof(fc.constantFrom('1e999', '-1e999', '1e-999', '-0', '0.5', '-1', '1.0', '1E3', '99999999999999999999', '0x10', 'NaN', 'Infinity', '01', '+1', '.5'), fc.double().map(String));

/** Bytes that are not UTF-8: stray continuations, overlongs, encoded surrogates, truncated runs. */
export const invalidUtf8 = fc
	.array(fc.constantFrom([0xff], [0xfe], [0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3], [0xe2, 0x82]), { minLength: 1, maxLength: 4 })
	.map((parts) => Buffer.from(parts.flat()));

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'SEARCH', 'REPORT'] as const;
