import type { ClusterStatus } from '#shared';
import type { Logger } from '../log.ts';
import type { Subsystem } from '../subsystem.ts';
import { Fleet, type ExpectedCluster, type RetireOutcome } from './fleet.ts';
import { Liveness } from './liveness.ts';

export interface FleetTracking extends Subsystem {
	/** Every cluster's latest report, and what changed since the last batch. */
	readonly fleet: Fleet;
	/** Last-seen times; a cluster silent past the timeout is stopped in `fleet`. */
	readonly liveness: Liveness;
	/** Starts the silence sweep (and its start-up grace), and loads the clusters to expect. */
	start(): void;
	/** Resolves once the clusters to expect are loaded (at once when there is nothing to load). */
	expected(): Promise<void>;
	/** See `Fleet.retire`; a retired cluster is no longer watched for silence. */
	retire(clusterId: number, committed?: ClusterStatus): RetireOutcome;
}

/**
 * Fleet and liveness: what the bots said, and who went silent. Heartbeats land here (through the
 * bot namespace); the publisher drains the fleet's changes into versions.
 *
 * After a restart the new process knows nothing, so `expect` (the history's last membership)
 * says which clusters were in the fleet. They are watched like any other from the start (last
 * seen: the start), so one that never reports is stopped, shown and counted once the start-up
 * grace and a whole silence timeout have passed, like a cluster that went silent; one a re-shard
 * superseded leaves the fleet at once.
 */
export function createFleetTracking(deps: {
	silenceTimeoutMs: number;
	logger: Logger;
	/** The clusters the fleet had before this process started; none when omitted (scaled out, Redis keeps the fleet). */
	expect?: () => Promise<ExpectedCluster[]>;
	/** The liveness clock (monotonic by default); tests move it past the grace. */
	clock?: () => number;
}): FleetTracking {
	const fleet = new Fleet();
	const liveness = new Liveness({
		timeoutMs: deps.silenceTimeoutMs,
		...(deps.clock ? { clock: deps.clock } : {}),
		onExpired: (clusterId, lastSeen) => {
			const expected = fleet.isExpected(clusterId);
			if (!fleet.stop(clusterId)) return;
			if (expected) deps.logger.warn({ cluster: clusterId }, 'cluster from before the restart has not reported; marked stopped');
			else deps.logger.warn({ cluster: clusterId, silentMs: Math.round(liveness.now() - lastSeen) }, 'cluster went silent; marked stopped');
		}
	});
	let startedAt: number | undefined;
	let loading: Promise<void> = Promise.resolve();
	let closed = false;
	return {
		fleet,
		liveness,
		start: () => {
			if (startedAt !== undefined) return;
			const since = (startedAt = liveness.now());
			liveness.start(since);
			if (!deps.expect) return;
			loading = deps.expect().then(
				(clusters) => {
					if (closed) return;
					fleet.expect(clusters);
					// Seen at the start, whenever the list arrived: silence counts from there, as for every cluster.
					for (const c of clusters) if (fleet.isExpected(c.id)) liveness.touch(c.id, since);
					if (clusters.length > 0) deps.logger.info({ clusters: clusters.length }, 'expecting the clusters the history recorded before this start');
				},
				(err: Error) => deps.logger.warn({ err: err.message }, 'could not read which clusters to expect from the history; only clusters that report are shown')
			);
		},
		expected: () => loading,
		retire: (clusterId, committed) => {
			const result = fleet.retire(clusterId, committed);
			if (result.outcome === 'retired') liveness.forget(clusterId);
			return result;
		},
		close: () => {
			closed = true;
			liveness.close();
		}
	};
}
