import { encodeDelta, encodeFull, FleetReplica, mergeChange, type ApplyOutcome, type ChangeSet, type ClusterStatus, type FleetStatus, type FleetUpdate } from '#shared';

export interface FleetFeedOptions {
	/**
	 * Versions remembered for deltas. Default 240: two minutes at the default two pushes a second,
	 * so a page that slept through a few polls still gets a delta, not the whole fleet.
	 */
	historyLength?: number;
	/**
	 * The version of the empty fleet a new server starts from. The server passes its start time in
	 * ms: versions then only ever grow across restarts too (at most 100 commits a second never
	 * catch up with the clock), so a page open across a restart is never mistaken for current.
	 */
	initialVersion?: number;
}

/** A version that changed something: what the store commits, the feed applies and viewers are pushed. */
export type CommittedUpdate = Exclude<FleetUpdate, { kind: 'unchanged' }>;

/**
 * The fleet as viewers see it: a replica at one version, what each recent version changed, and
 * the answers built from them. Answers are built once per version and shared by every poll that
 * asks the same question, so 10,000 viewers asking "anything new since 41?" cost one encode.
 */
export class FleetFeed {
	readonly #replica = new FleetReplica();
	readonly #historyLength: number;
	/** changes[i] took the fleet from version (first + i - 1) to (first + i). */
	#changes: ChangeSet[] = [];
	#first = 1;
	#full: CommittedUpdate | undefined;
	/** from-version → delta to the current version; emptied whenever the version moves. */
	#deltas = new Map<number, CommittedUpdate>();
	#json: { version: number; tail: string } | undefined;

	constructor(options: FleetFeedOptions = {}) {
		this.#historyLength = options.historyLength ?? 240;
		this.#replica.reset(options.initialVersion ?? 0);
		this.#first = this.#replica.version + 1;
	}

	get version(): number {
		return this.#replica.version;
	}

	/** The fleet at the current version (`generatedAt` is when that version was committed). */
	get status(): FleetStatus {
		return this.#replica.status;
	}

	/** One cluster at the current version. */
	get(id: number): ClusterStatus | undefined {
		return this.#replica.get(id);
	}

	/** Applies a committed update (this instance's or, when scaled out, another's). */
	apply(update: CommittedUpdate): ApplyOutcome {
		const outcome = this.#replica.apply(update);
		if (outcome !== 'applied') return outcome;
		const changes = this.#replica.lastChanges;
		if (changes === null || update.kind === 'full') {
			// A snapshot says nothing about what changed: older clients get a snapshot too.
			this.#changes = [];
			this.#first = update.version + 1;
			this.#full = update;
		} else {
			// `apply` only succeeds for from ≤ version < to; versions skipped over are lost history.
			if (update.from !== update.version - 1) {
				this.#changes = [];
				this.#first = update.version;
			}
			this.#changes.push(changes);
			if (this.#changes.length > this.#historyLength) {
				this.#changes.shift();
				this.#first++;
			}
			this.#full = undefined;
		}
		this.#deltas.clear();
		return outcome;
	}

	/** The answer to a poll from a client holding `since` (or nothing). */
	answer(since: number | undefined, now: number): FleetUpdate {
		const version = this.version;
		if (since === undefined || since <= 0 || version === 0) return this.full();
		// `since` beyond ours: the client came from an instance a moment ahead (scaled out). Its copy
		// is newer, so send nothing; it hears the next change like everyone else.
		if (since >= version) return { kind: 'unchanged', version, at: now };
		// Older than we remember (or from before a restart): only a snapshot is safe.
		if (since < this.#first - 1) return this.full();

		let delta = this.#deltas.get(since);
		if (!delta) {
			let merged: ChangeSet = new Map();
			for (let v = since + 1; v <= version; v++) {
				const changes = this.#changes[v - this.#first]!;
				if (merged.size === 0) merged = new Map(changes);
				else for (const [id, change] of changes) merged.set(id, mergeChange(merged.get(id), change));
			}
			const at = this.status.generatedAt;
			delta = { kind: 'delta', from: since, version, at, data: encodeDelta(merged, (id) => this.#replica.get(id), at) };
			this.#deltas.set(since, delta);
		}
		return delta;
	}

	/** Every cluster at the current version, encoded once per version. */
	full(): CommittedUpdate {
		if (this.#full?.version !== this.version) {
			const { clusters, generatedAt } = this.status;
			this.#full = { kind: 'full', version: this.version, at: generatedAt, data: encodeFull(clusters, generatedAt) };
		}
		return this.#full;
	}

	/**
	 * `GET /api/status` as JSON. Stringifying a 16,000-shard fleet takes milliseconds, so it is
	 * done once per version; only `generatedAt` (when this answer was made) is spliced in.
	 */
	json(now: number): string {
		if (this.#json?.version !== this.version) {
			const { clusters, totalShards, conflicts } = this.status;
			this.#json = { version: this.version, tail: JSON.stringify({ version: this.version, clusters, totalShards, conflicts }).slice(1) };
		}
		return `{"generatedAt":${now},${this.#json.tail}`;
	}
}
