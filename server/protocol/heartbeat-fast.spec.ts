import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, PROTOCOL_VERSION, SHARD_STATES } from '#shared';
import { heartbeat } from '#testing/server/harness';
import { isValidHeartbeat } from './heartbeat-fast.ts';
import { HeartbeatSchema, parseHeartbeat } from './heartbeat-schema.ts';

/*
 * The hand-written accept path must agree with the schema exactly: accepting something the
 * schema refuses would let bad input into the fleet; refusing something it accepts would only
 * cost speed, but would still be a bug. Compared on valid heartbeats and on thousands of
 * mutations of them.
 */
const schemaAccepts = (x: unknown) => HeartbeatSchema.safeParse(x).success;

const odd = fc.constantFrom<unknown>(
	undefined, null, true, 0, -1, 1, 1.5, -0.5, NaN, Infinity, -Infinity, 2 ** 53, Number.MAX_SAFE_INTEGER, LIMITS.maxPingMs + 1, LIMITS.maxUnavailableGuilds + 1, 150,
	LIMITS.maxTotalShards, LIMITS.maxClusterId + 1, '', '1', 'ready', 'Ready', [], [1], {}, { id: 1 }, PROTOCOL_VERSION + 1
);

const validHeartbeat = fc
	.record({
		clusterId: fc.integer({ min: 0, max: LIMITS.maxClusterId }),
		first: fc.integer({ min: 0, max: 200 }),
		count: fc.integer({ min: 1, max: 24 }),
		spare: fc.integer({ min: 0, max: 50 }),
		states: fc.array(fc.constantFrom(...SHARD_STATES), { minLength: 24, maxLength: 24 }),
		pings: fc.array(fc.option(fc.double({ min: 0, max: LIMITS.maxPingMs, noNaN: true }), { nil: undefined }), { minLength: 24, maxLength: 24 }),
		// Up to the shard's guilds (100 + id): an old reporter leaves the count out.
		unavailable: fc.array(fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }), { minLength: 24, maxLength: 24 }),
		reported: fc.integer({ min: 0, max: 24 })
	})
	.map(({ clusterId, first, count, spare, states, pings, unavailable, reported }) => {
		const ids = Array.from({ length: count }, (_, i) => first + i);
		const hb = heartbeat(clusterId, ids, first + count + spare);
		hb.shards = hb.shards.slice(0, Math.min(reported, count)).map((s, i) => {
			const { ping: _drop, ...rest } = s;
			const shard = pings[i] === undefined ? { ...rest, state: states[i]! } : { ...rest, state: states[i]!, ping: pings[i]! };
			return unavailable[i] === undefined ? shard : { ...shard, unavailableGuilds: unavailable[i]! };
		});
		return hb as unknown as Record<string, unknown>;
	});

/** One random change somewhere in a heartbeat: a value swapped for an odd one, a key dropped or added, a shard duplicated. */
const mutated = fc.tuple(validHeartbeat, fc.nat(), fc.nat(), odd, fc.constantFrom('set', 'delete', 'add', 'duplicate', 'shardSet', 'shardDelete', 'shardAdd', 'idSet')).map(
	([hb, a, b, value, how]) => {
		const copy = structuredClone(hb) as Record<string, unknown> & { shards: Record<string, unknown>[]; shardIds: unknown[] };
		const keys = Object.keys(copy);
		const shard = copy.shards[a % Math.max(1, copy.shards.length)];
		const shardKeys = ['id', 'state', 'ping', 'guilds', 'unavailableGuilds'];
		switch (how) {
			case 'set': copy[keys[a % keys.length]!] = value; break;
			case 'delete': delete copy[keys[a % keys.length]!]; break;
			case 'add': copy[['extra', '__proto__', 'constructor'][b % 3]!] = value; break;
			case 'duplicate': if (shard) copy.shards.push({ ...shard }); else copy.shardIds.push(copy.shardIds[0]); break;
			case 'shardSet': if (shard) shard[shardKeys[b % shardKeys.length]!] = value; break;
			case 'shardDelete': if (shard) delete shard[shardKeys[b % shardKeys.length]!]; break;
			case 'shardAdd': if (shard) shard[['extra', 'constructor', '__proto__'][b % 3]!] = value; break;
			case 'idSet': copy.shardIds[a % copy.shardIds.length] = value; break;
		}
		// Over the wire every payload is JSON, so compare what survives a JSON round trip.
		return JSON.parse(JSON.stringify(copy) ?? 'null') as unknown;
	}
);

describe('isValidHeartbeat agrees with the schema', () => {
	it('accepts every valid heartbeat', () => {
		fc.assert(fc.property(validHeartbeat.map((hb) => JSON.parse(JSON.stringify(hb)) as unknown), (hb) => schemaAccepts(hb) && isValidHeartbeat(hb)), { numRuns: 2_000 });
	});

	it('gives the same verdict as the schema on 5,000 mutated heartbeats', () => {
		let accepted = 0;
		let refused = 0;
		fc.assert(
			fc.property(mutated, (input) => {
				const verdict = schemaAccepts(input);
				if (verdict) accepted++;
				else refused++;
				return isValidHeartbeat(input) === verdict;
			}),
			{ numRuns: 5_000 }
		);
		// Both sides were exercised: some mutations are harmless (a ping of 1), most are not.
		expect(accepted).toBeGreaterThan(50);
		expect(refused).toBeGreaterThan(2_000);
	});

	it.for([
		['a non-object', 42],
		['an array', []],
		['null', null],
		['a shard outside totalShards', { ...heartbeat(0, [7], 8), shardIds: [8] }],
		['a prototype-pollution key', JSON.parse('{"__proto__":{"polluted":1},"v":1}')]
	] as const)('refuses %s, and parseHeartbeat still explains why', ([, input]) => {
		expect(isValidHeartbeat(input)).toBe(false);
		expect(parseHeartbeat(input).ok).toBe(false);
	});
});
