import { decodeDelta, decodeFull, encodeDelta, encodeFull, type ApplyOutcome, type ChangeSet, type ClusterStatus, type ShardStatus } from '#shared';
import { FleetFeed, type FleetFeedOptions } from '../feed/fleet-feed.ts';
import type { CommittedUpdate } from '../feed/fleet-log.ts';

/*
 * `SHARDBEAT_PUBLIC_DETAIL=basic`. Per-shard pings and guild counts tell an attacker which shard
 * is weakest (highest ping) or worth most (most guilds); states alone still tell users whether
 * their server is up. So the public copy keeps every state and time, and drops those figures.
 */

const redactShard = (s: ShardStatus): ShardStatus => (s.ping === null && s.guilds === 0 ? s : { ...s, ping: null, guilds: 0 });

/** A cluster without pings, guild or member counts. */
export function redactCluster(c: ClusterStatus): ClusterStatus {
	return { ...c, guilds: 0, members: 0, shards: c.shards.map(redactShard) };
}

/**
 * The same update (same kind and versions) with redacted figures. A delta's patches are decoded
 * against `lookup` (the cluster as the redacted copy holds it), which only lends the shards the
 * patch does not name, and re-encoded as the same patch, so public deltas stay as small.
 */
export function redactUpdate(update: CommittedUpdate, lookup: (id: number) => ClusterStatus | undefined): CommittedUpdate {
	if (update.kind === 'full') return { ...update, data: encodeFull(decodeFull(update.data, update.at).map(redactCluster), update.at) };
	const changes: ChangeSet = new Map();
	const clusters = new Map<number, ClusterStatus>();
	for (const entry of decodeDelta(update.data, update.at, lookup)) {
		if (entry.kind === 'removed') changes.set(entry.id, 'removed');
		else {
			changes.set(entry.cluster.id, entry.change);
			clusters.set(entry.cluster.id, redactCluster(entry.cluster));
		}
	}
	return { ...update, data: encodeDelta(changes, (id) => clusters.get(id), update.at) };
}

/**
 * The full-detail feed, which keeps a redacted twin (`publicFeed`) at the very same versions: every
 * update applied here is applied there redacted. Polls and pushes for public viewers come from
 * the twin, with its own once-per-version snapshots and deltas; the full path is untouched.
 */
export class DetailedFleetFeed extends FleetFeed {
	/** What public viewers, `/api/status` and the summary are served from. */
	readonly publicFeed: FleetFeed;
	/** The last few redacted updates by version, so a push need not redact again. */
	readonly #recent = new Map<number, CommittedUpdate>();

	constructor(options: FleetFeedOptions = {}) {
		super(options);
		this.publicFeed = new FleetFeed(options);
	}

	override apply(update: CommittedUpdate): ApplyOutcome {
		const outcome = super.apply(update);
		if (outcome !== 'applied') return outcome;
		let redacted: CommittedUpdate | undefined;
		try {
			redacted = redactUpdate(update, (id) => this.publicFeed.get(id));
			if (this.publicFeed.apply(redacted) !== 'applied') redacted = undefined;
		} catch {
			redacted = undefined;
		}
		if (!redacted) {
			// Out of step (cannot happen while every update goes through here): start the twin over
			// from the full copy, so public viewers get a snapshot rather than a stuck version.
			const at = this.status.generatedAt;
			redacted = { kind: 'full', version: this.version, at, data: encodeFull(this.status.clusters.map(redactCluster), at) };
			this.publicFeed.apply(redacted);
		}
		this.#recent.set(update.version, redacted);
		for (const version of this.#recent.keys()) {
			if (this.#recent.size <= 8) break;
			this.#recent.delete(version);
		}
		return outcome;
	}

	/**
	 * The public counterpart of a committed update, for pushes. Scaled out, a push can precede
	 * this instance applying its own commit; it is then redacted against the twin as it stands,
	 * or undefined when that is impossible (public pages then repair the gap with a poll).
	 */
	redactedFor(update: CommittedUpdate): CommittedUpdate | undefined {
		const known = this.#recent.get(update.version);
		if (known && known.kind === update.kind && (known.kind === 'full' || (update.kind === 'delta' && known.from === update.from))) return known;
		try {
			return redactUpdate(update, (id) => this.publicFeed.get(id));
		} catch {
			return undefined;
		}
	}
}
