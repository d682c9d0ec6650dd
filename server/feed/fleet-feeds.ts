import type { FleetStatus } from '#shared';
import type { Logger } from '../log.ts';
import { Broadcast, type Subsystem } from '../subsystem.ts';
import { DetailedFleetFeed } from './detailed-fleet-feed.ts';
import { FleetFeed, type CommittedUpdate } from './fleet-feed.ts';

export interface FleetFeeds extends Subsystem {
	/** The versioned fleet in full detail: operators, `/metrics`, history and `/healthz` read it. */
	readonly full: FleetFeed;
	/** What public viewers, `/api/status` and the summary see: `full` itself, or its redacted twin. */
	readonly public: FleetFeed;
	/** True when public viewers get a redacted copy, so each push goes out twice, once per audience. */
	readonly redacts: boolean;
	/**
	 * Every committed version, whoever committed it (the publisher's batches, scaled-out sweeps).
	 * Pushes listen here.
	 */
	readonly committed: Broadcast<CommittedUpdate>;
	/** The public counterpart of a committed update; undefined when it cannot be made (see `DetailedFleetFeed.redactedFor`). */
	publicUpdate(update: CommittedUpdate): CommittedUpdate | undefined;
	/** The public fleet at the current version, stamped now: `GET /api/status` as an object. */
	snapshot(): FleetStatus;
}

/**
 * The feed: the fleet as viewers see it, at one version, with answers built once per version.
 * Full detail for everyone costs nothing extra; `SHARDBEAT_PUBLIC_DETAIL=basic` keeps a redacted
 * twin at the same versions.
 */
export function createFleetFeeds(deps: { publicDetail: 'full' | 'basic'; initialVersion: number; logger: Logger }): FleetFeeds {
	const options = { initialVersion: deps.initialVersion };
	const detailed = deps.publicDetail === 'basic' ? new DetailedFleetFeed(options) : undefined;
	const full = detailed ?? new FleetFeed(options);
	const publicFeed = detailed?.publicFeed ?? full;
	return {
		full,
		public: publicFeed,
		redacts: detailed !== undefined,
		committed: new Broadcast((err) => deps.logger.error({ err }, 'fleet update listener failed')),
		publicUpdate: (update) => (detailed ? detailed.redactedFor(update) : update),
		snapshot: () => ({ ...publicFeed.status, generatedAt: Date.now() }),
		health: () => ({ clusters: full.status.clusters.length, version: full.version }),
		close: () => {}
	};
}
