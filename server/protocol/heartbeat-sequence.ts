import { applyHeartbeatDelta, type Ack, type Heartbeat, type HeartbeatAccepted } from '#shared';
import type { HeartbeatIntake, HeartbeatSource } from '../fleet/heartbeat-intake.ts';
import type { Logger } from '../log.ts';
import { parseHeartbeatDelta, parseSequence } from './heartbeat-schema.ts';

/** What one `/bot` connection receives: plain, numbered (`seq`) or delta (`base`) heartbeats. */
export type ConnectionIntake = (payload: unknown) => Ack<HeartbeatAccepted>;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The heartbeat path of one bot connection. A numbered full heartbeat (`seq`) and a delta
 * (`base`, `seq`) both end as a full heartbeat handed to `intake`, validated and applied exactly
 * like one sent whole; the last one accepted is kept as the base for the next delta. The base
 * lives only here, with the connection: a delta after a reconnect, or at another instance after
 * a scale-out failover, finds none and is refused `unknown_base`, and the reporter sends full.
 */
export function createConnectionIntake(intake: HeartbeatIntake, source: HeartbeatSource, logger: Logger): ConnectionIntake {
	let base: { seq: number; heartbeat: Heartbeat } | undefined;

	const full = (payload: Record<string, unknown>): Ack<HeartbeatAccepted> => {
		const seq = parseSequence(payload.seq);
		if (!seq.ok) {
			logger.warn({ ...source.log, field: seq.field, reason: seq.error.message }, 'heartbeat refused');
			return { ok: false, error: seq.error };
		}
		const { seq: _, ...heartbeat } = payload;
		const result = intake(heartbeat, source);
		// Accepted, `heartbeat` is a valid Heartbeat; fleet.apply copies what it keeps, and nothing else holds this object.
		if (result.ok) base = { seq: seq.seq, heartbeat: heartbeat as unknown as Heartbeat };
		return result;
	};

	const delta = (payload: Record<string, unknown>): Ack<HeartbeatAccepted> => {
		const parsed = parseHeartbeatDelta(payload);
		if (!parsed.ok) {
			logger.warn({ ...source.log, field: parsed.field, reason: parsed.error.message }, 'heartbeat delta refused');
			return { ok: false, error: parsed.error };
		}
		const d = parsed.value;
		if (base === undefined || base.seq !== d.base || base.heartbeat.clusterId !== d.clusterId) {
			const held = base === undefined ? 'none (a new connection, or another server instance)' : `seq ${base.seq} of cluster ${base.heartbeat.clusterId}`;
			logger.info({ ...source.log, base: d.base, held: base?.seq }, 'heartbeat delta without its base');
			return {
				ok: false,
				error: { code: 'unknown_base', message: `heartbeat delta on base ${d.base} of cluster ${d.clusterId}, but the last heartbeat this server accepted on this connection is ${held}; send a full heartbeat` }
			};
		}
		const applied = applyHeartbeatDelta(base.heartbeat, d);
		if (!applied.ok) {
			logger.warn({ ...source.log, field: applied.field, reason: applied.message }, 'heartbeat delta refused');
			return { ok: false, error: { code: 'invalid_payload', message: `invalid heartbeat delta: ${applied.field}: ${applied.message}` } };
		}
		const result = intake(applied.heartbeat, source);
		if (result.ok) base = { seq: d.seq, heartbeat: applied.heartbeat };
		return result;
	};

	return (payload) => {
		if (isRecord(payload) && Object.hasOwn(payload, 'base')) return delta(payload);
		if (isRecord(payload) && Object.hasOwn(payload, 'seq')) return full(payload);
		const result = intake(payload, source);
		// The fleet now holds shards no numbered heartbeat named: a delta on the older base would undo them.
		if (result.ok) base = undefined;
		return result;
	};
}
