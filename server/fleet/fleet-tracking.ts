import type { Logger } from '../log.ts';
import type { Subsystem } from '../subsystem.ts';
import { Fleet } from './fleet.ts';
import { Liveness } from './liveness.ts';

export interface FleetTracking extends Subsystem {
	/** Every cluster's latest report, and what changed since the last batch. */
	readonly fleet: Fleet;
	/** Last-seen times; a cluster silent past the timeout is stopped in `fleet`. */
	readonly liveness: Liveness;
	/** Starts the silence sweep (and its start-up grace). */
	start(): void;
}

/**
 * Fleet and liveness: what the bots said, and who went silent. Heartbeats land here (through the
 * bot namespace); the publisher drains the fleet's changes into versions.
 */
export function createFleetTracking(deps: { silenceTimeoutMs: number; logger: Logger }): FleetTracking {
	const fleet = new Fleet();
	const liveness = new Liveness({
		timeoutMs: deps.silenceTimeoutMs,
		onExpired: (clusterId, lastSeen) => {
			if (fleet.stop(clusterId)) deps.logger.warn({ cluster: clusterId, silentMs: Math.round(liveness.now() - lastSeen) }, 'cluster went silent; marked stopped');
		}
	});
	return {
		fleet,
		liveness,
		start: () => liveness.start(),
		close: () => liveness.close()
	};
}
