import { encodeFull, type ApplyOutcome } from '#shared';
import { FleetFeed, type CommittedUpdate, type FleetFeedOptions } from './fleet-feed.ts';
import { redactCluster, redactUpdate } from './redaction.ts';

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
