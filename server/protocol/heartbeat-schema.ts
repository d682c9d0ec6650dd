import { z } from 'zod';
import { LIMITS, PROTOCOL_VERSION, SHARD_STATES, type Heartbeat, type HeartbeatDelta, type ProtocolError } from '#shared';
import { isValidHeartbeat } from './heartbeat-fast.ts';

const count = z.int().min(0);
const shardId = z.int().min(0).max(LIMITS.maxTotalShards - 1);

// JSON has no NaN or Infinity: socket.io turns them into null, so a null ping is the trace of one.
const ping = z
	.number({
		error: (issue) =>
			issue.input === null
				? 'must be a finite number of milliseconds; leave `ping` out when it is unknown (NaN and Infinity arrive as null over JSON)'
				: undefined
	})
	.min(0)
	.max(LIMITS.maxPingMs);

const ShardReportSchema = z
	.strictObject({
		id: shardId,
		state: z.enum(SHARD_STATES),
		ping: ping.optional(),
		guilds: count,
		// Optional: reporters older than the field leave it out and are still accepted.
		unavailableGuilds: count.max(LIMITS.maxUnavailableGuilds).optional()
	})
	.superRefine((shard, ctx) => {
		if (shard.unavailableGuilds !== undefined && shard.unavailableGuilds > shard.guilds) {
			ctx.addIssue({
				code: 'custom',
				path: ['unavailableGuilds'],
				message: `${shard.unavailableGuilds} is more than the shard's guilds (${shard.guilds}); \`guilds\` counts every guild of the shard, unavailable ones included`
			});
		}
	});

/*
 * Objects are strict: an unknown key (including `__proto__` or `constructor`, which JSON.parse
 * makes own properties) is refused by name rather than silently dropped.
 */
export const HeartbeatSchema = z
	.strictObject({
		v: z.literal(PROTOCOL_VERSION),
		clusterId: z.int().min(0).max(LIMITS.maxClusterId),
		totalShards: z.int().min(1).max(LIMITS.maxTotalShards),
		shardIds: z.array(shardId).min(1).max(LIMITS.maxShardsPerCluster),
		shards: z.array(ShardReportSchema).max(LIMITS.maxShardsPerCluster),
		guilds: count,
		members: count,
		uptimeMs: z.number().min(0).max(Number.MAX_SAFE_INTEGER)
	})
	.superRefine((hb, ctx) => {
		const assigned = new Set<number>();
		hb.shardIds.forEach((id, i) => {
			if (assigned.has(id)) ctx.addIssue({ code: 'custom', path: ['shardIds', i], message: `shard ${id} is listed twice` });
			if (id >= hb.totalShards) {
				ctx.addIssue({ code: 'custom', path: ['shardIds', i], message: `shard ${id} is not below totalShards (${hb.totalShards})` });
			}
			assigned.add(id);
		});
		const reported = new Set<number>();
		hb.shards.forEach((shard, i) => {
			if (reported.has(shard.id)) {
				ctx.addIssue({ code: 'custom', path: ['shards', i, 'id'], message: `shard ${shard.id} is reported twice` });
			}
			if (!assigned.has(shard.id)) {
				ctx.addIssue({ code: 'custom', path: ['shards', i, 'id'], message: `shard ${shard.id} is not in this cluster's shardIds` });
			}
			reported.add(shard.id);
		});
	});

/** Renders a zod path the way a developer would write the access: `shards[3].ping`. */
function formatPath(path: readonly PropertyKey[]): string {
	let out = '';
	for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? clip(String(key)) : `.${clip(String(key))}`;
	return out || '(payload)';
}

/** Peer-chosen text (keys, values) quoted in a refusal is cut short: a refusal must stay small. */
const MAX_QUOTED = 64;
const MAX_MESSAGE = 512;
function clip(text: string, max = MAX_QUOTED): string {
	return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * What a peer sent as `v`, for the refusal: never `String(v)`, which throws on `{ "toString": 1 }`
 * (JSON.parse makes that an own property) and would echo a megabyte string back.
 */
function describeVersion(v: unknown): string {
	if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
	if (typeof v === 'string') return JSON.stringify(clip(v, 32));
	return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

export type HeartbeatParse = { ok: true; value: Heartbeat } | { ok: false; error: ProtocolError; field: string };

/**
 * Validates an untrusted heartbeat. Never throws; a refusal names the first offending field.
 * The accepted value may be `input` itself: callers copy what they keep.
 */
export function parseHeartbeat(input: unknown): HeartbeatParse {
	// Nearly every heartbeat is valid: accept those cheaply, and let the schema explain the rest.
	if (isValidHeartbeat(input)) return { ok: true, value: input };
	if (typeof input === 'object' && input !== null && !Array.isArray(input) && 'v' in input && input.v !== PROTOCOL_VERSION) {
		return {
			ok: false,
			field: 'v',
			error: {
				code: 'unsupported_version',
				message: `heartbeat protocol v${describeVersion(input.v)} is not supported; this server speaks v${PROTOCOL_VERSION}. Update the Shardbeat reporter or the server so they match.`
			}
		};
	}
	const result = HeartbeatSchema.safeParse(input);
	if (result.success) return { ok: true, value: result.data as Heartbeat };
	return refusal('heartbeat', result.error.issues);
}

/** The first issue as a refusal naming its field, with how many more there were. */
function refusal(what: string, issues: z.core.$ZodIssue[]): { ok: false; error: ProtocolError; field: string } {
	const issue = issues[0]!;
	// For an unknown key, name the key itself: `shards[0].constructor`, not `shards[0]`.
	const field = formatPath(issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path);
	const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : '';
	const message = `invalid ${what}: ${field}: ${clip(issue.message, MAX_MESSAGE - 100)}${more}`;
	return { ok: false, field, error: { code: 'invalid_payload', message } };
}

/** A heartbeat's number on its connection (`seq`, `base`). */
const sequence = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/*
 * Only what a delta needs to be applied is checked here, with the heartbeat's own rules for each
 * shard so a refusal names the delta's field; the full heartbeat it stands for is then validated
 * like any other (`parseHeartbeat`).
 */
const HeartbeatDeltaSchema = z.strictObject({
	v: z.literal(PROTOCOL_VERSION),
	clusterId: z.int().min(0).max(LIMITS.maxClusterId),
	seq: sequence,
	base: sequence,
	shards: z.array(ShardReportSchema).max(LIMITS.maxShardsPerCluster),
	guilds: count,
	members: count,
	uptimeMs: z.number().min(0).max(Number.MAX_SAFE_INTEGER)
});

export type HeartbeatDeltaParse = { ok: true; value: HeartbeatDelta } | { ok: false; error: ProtocolError; field: string };

/** Validates an untrusted heartbeat delta (`base` present). Never throws; a refusal names the first offending field. */
export function parseHeartbeatDelta(input: unknown): HeartbeatDeltaParse {
	if (typeof input === 'object' && input !== null && !Array.isArray(input) && 'v' in input && input.v !== PROTOCOL_VERSION) {
		return parseHeartbeat(input) as HeartbeatDeltaParse;
	}
	const result = HeartbeatDeltaSchema.safeParse(input);
	if (result.success) return { ok: true, value: result.data as HeartbeatDelta };
	return refusal('heartbeat delta', result.error.issues);
}

export type SequenceParse = { ok: true; seq: number } | { ok: false; error: ProtocolError; field: string };

/** Validates a full heartbeat's `seq` (the rest is `parseHeartbeat`'s). */
export function parseSequence(seq: unknown): SequenceParse {
	const result = sequence.safeParse(seq);
	if (result.success) return { ok: true, seq: result.data };
	return refusal('heartbeat', result.error.issues.map((issue) => ({ ...issue, path: ['seq', ...issue.path] })));
}
