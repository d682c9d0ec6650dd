import type { Ack, HeartbeatAccepted } from '#shared';
import type { Logger } from '../log.ts';
import { parseHeartbeat } from '../protocol/heartbeat-schema.ts';
import type { Fleet } from './fleet.ts';
import type { Liveness } from './liveness.ts';

/** Counters since start, shared by every transport a heartbeat can arrive on. */
export interface HeartbeatStats {
	heartbeatsAccepted: number;
	heartbeatsRefused: number;
}

/**
 * Where a heartbeat came from. `socketId` is the bot socket whose disconnect stops the cluster;
 * `null` for HTTP, where there is no connection to lose and only silence stops a cluster.
 * `log` is added to every log line about it (`{ socket }`, or `{ via: 'http', ip }`).
 */
export interface HeartbeatSource {
	socketId: string | null;
	log: Record<string, unknown>;
}

/** Validated, then parsed; when refused, before or after validation (`clusterId` known then). */
export type HeartbeatGate = (clusterId: number) => Ack<HeartbeatAccepted> | undefined | Promise<Ack<HeartbeatAccepted> | undefined>;

export interface HeartbeatIntake {
	/** Without a gate the answer is immediate. */
	(payload: unknown, source: HeartbeatSource): Ack<HeartbeatAccepted>;
	(payload: unknown, source: HeartbeatSource, gate: HeartbeatGate): Ack<HeartbeatAccepted> | Promise<Ack<HeartbeatAccepted>>;
}

/**
 * The one path from an untrusted heartbeat to the fleet, for `/bot` and `POST /api/v1/heartbeat`
 * alike: validate (`parseHeartbeat`), then `fleet.apply` and `liveness.touch`, and answer the
 * ack. A `gate` (the HTTP per-cluster rate limit) may refuse a valid heartbeat before it is
 * applied. Never throws: a bug costs one heartbeat (`internal`), never the fleet.
 */
export function createHeartbeatIntake(deps: { fleet: Fleet; liveness: Liveness; logger: Logger; stats: HeartbeatStats }): HeartbeatIntake {
	const { fleet, liveness, logger, stats } = deps;
	const apply = (value: Parameters<Fleet['apply']>[0], source: HeartbeatSource): Ack<HeartbeatAccepted> => {
		const now = Date.now();
		stats.heartbeatsAccepted++;
		const result = fleet.apply(value, source.socketId, now);
		// Silence is measured on the monotonic clock; `now` (wall clock) is only what viewers read.
		liveness.touch(value.clusterId);
		if (result.conflictsChanged && result.conflicts.length > 0) {
			logger.warn({ cluster: result.cluster.id, conflicts: result.conflicts }, 'shard claimed by more than one live cluster');
		}
		if (result.lifecycleChanged) logger.info({ cluster: result.cluster.id, lifecycle: result.cluster.lifecycle }, 'cluster lifecycle');
		return { ok: true, receivedAt: now, conflicts: result.conflicts };
	};
	const failed = (error: unknown, source: HeartbeatSource): Ack<HeartbeatAccepted> => {
		// A bug here must cost one heartbeat, never the process or the fleet state.
		logger.error({ err: error, ...source.log }, 'heartbeat handler failed');
		return { ok: false, error: { code: 'internal', message: 'the server failed to process this heartbeat; it has been logged' } };
	};
	return ((payload: unknown, source: HeartbeatSource, gate?: HeartbeatGate) => {
		try {
			const parsed = parseHeartbeat(payload);
			if (!parsed.ok) {
				stats.heartbeatsRefused++;
				logger.warn({ ...source.log, field: parsed.field, reason: parsed.error.message }, 'heartbeat refused');
				return { ok: false, error: parsed.error };
			}
			const gated = gate?.(parsed.value.clusterId);
			if (gated === undefined) return apply(parsed.value, source);
			return (async () => {
				try {
					const refusal = await gated;
					if (!refusal) return apply(parsed.value, source);
					stats.heartbeatsRefused++;
					return refusal;
				} catch (error) {
					return failed(error, source);
				}
			})();
		} catch (error) {
			return failed(error, source);
		}
	}) as HeartbeatIntake;
}
