import { clusterHealth, DEFAULT_LATENCY_BANDS, type ClusterStatus, type FleetStatus, type LatencyBands, type MaintenanceWindow } from '#shared';
import { underMaintenance } from '$lib/status/maintenance';
import { moveIndex, type MoveKey } from './keys.ts';
import { hitTest, overviewLayout, type Hit, type OverviewLayout } from './layout.ts';
import { summarize, type ClusterFrame, type ColourBy, type SummaryPart } from './looks.ts';

/** What the overview draws from; each is read reactively. */
export interface OverviewSources {
	status: () => FleetStatus | null;
	/** Maintenance windows in force now. */
	activeWindows?: () => readonly MaintenanceWindow[];
	/** The operator's ping bands (sent with the viewer token). */
	bands?: () => LatencyBands;
}

/** Where the visitor's colour choice is kept (localStorage, per browser). */
export const COLOUR_STORAGE_KEY = 'shardbeat:colour-by';

function storage(): Storage | null {
	try {
		return typeof localStorage === 'undefined' ? null : localStorage;
	} catch {
		return null; // storage disabled (privacy settings): the choice lasts for the page's life only
	}
}

/** Heights the overview keeps within: about half a screen, and never a sliver. */
const MIN_HEIGHT = 260;
const MAX_HEIGHT = 520;

/** The most ids each line of the summary links to. */
export const SUMMARY_IDS = 12;

/*
 * A delta replaces only the clusters it names, so a cluster's frame can be kept by object: a
 * 3,000-cluster fleet then works out one or two frames per delta, not 3,000.
 */
const healthOf = new WeakMap<ClusterStatus, ReturnType<typeof clusterHealth>>();
function frameOf(cluster: ClusterStatus, windows: readonly MaintenanceWindow[]): ClusterFrame {
	let health = healthOf.get(cluster);
	if (health === undefined) healthOf.set(cluster, (health = clusterHealth(cluster)));
	if (health !== 'healthy' && windows.length > 0 && underMaintenance(cluster.id, windows)) return 'maintenance';
	if (cluster.lifecycle === 'stopped') return 'stopped';
	return health;
}

/**
 * The fleet overview's state: every cluster in id order with its frame, the layout for the
 * width it has, the summary, the view (health or latency, which the cluster cards follow too),
 * the one focus stop that arrow keys move, and what the pointer is over.
 */
export class FleetOverviewState {
	/** The stored choice; anything but a known view (a hand edit, a later version's) counts as health. */
	#colourBy = $state<ColourBy>(storage()?.getItem(COLOUR_STORAGE_KEY) === 'latency' ? 'latency' : 'health');

	/** What shards are coloured by, here and in the cards' tiles; remembered for this browser. */
	get colourBy(): ColourBy {
		return this.#colourBy;
	}
	set colourBy(by: ColourBy) {
		this.#colourBy = by;
		try {
			storage()?.setItem(COLOUR_STORAGE_KEY, by);
		} catch {
			// quota or privacy mode: the choice still holds until the page is closed
		}
	}
	/** Index in `clusters` of the keyboard's focus stop. */
	active = $state(0);
	/** What the pointer (or a tap) is over; null: nothing. */
	hover = $state<Hit | null>(null);
	/** Width available to the canvas, CSS px (0 until measured). */
	width = $state(0);
	/** Height of the viewport, CSS px; the overview stays within about half of it. */
	viewportHeight = $state(800);

	readonly #sources: OverviewSources;

	constructor(sources: OverviewSources) {
		this.#sources = sources;
	}

	/** The operator's bands, or the defaults. */
	readonly bands: LatencyBands = $derived.by(() => this.#sources.bands?.() ?? DEFAULT_LATENCY_BANDS);

	/** Every cluster, by id (the server sends them so; sorted here only when not). */
	readonly clusters: readonly ClusterStatus[] = $derived.by(() => {
		const all = this.#sources.status()?.clusters ?? [];
		for (let i = 1; i < all.length; i++) if (all[i - 1]!.id > all[i]!.id) return [...all].sort((a, b) => a.id - b.id);
		return all;
	});

	/** `frames[i]`: the frame of `clusters[i]`. */
	readonly frames: readonly ClusterFrame[] = $derived.by(() => {
		const windows = this.#sources.activeWindows?.() ?? [];
		return this.clusters.map((c) => frameOf(c, windows));
	});

	/** The most shards any one cluster is assigned: the size of every block. */
	readonly shardsPerCluster: number = $derived(this.clusters.reduce((n, c) => Math.max(n, c.shardIds.length), 1));

	readonly layout: OverviewLayout = $derived(
		overviewLayout({
			clusters: this.clusters.length,
			shardsPerCluster: this.shardsPerCluster,
			width: this.width,
			maxHeight: Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.round(this.viewportHeight * 0.55)))
		})
	);

	/** Healthy count, then each problem with its first ids. */
	readonly summary: SummaryPart[] = $derived(
		summarize(
			this.clusters.map((c) => c.id),
			this.frames,
			SUMMARY_IDS
		)
	);

	/** The cluster of the focus stop (kept in range as the fleet shrinks). */
	readonly activeIndex: number = $derived(Math.min(this.active, Math.max(0, this.clusters.length - 1)));
	readonly activeCluster: ClusterStatus | undefined = $derived(this.clusters[this.activeIndex]);

	/** Moves the focus stop for a key; returns the new index. */
	move(key: MoveKey): number {
		this.active = moveIndex(key, this.activeIndex, this.clusters.length, this.layout.perRow);
		return this.active;
	}

	/** Puts the focus stop on the cluster with `id` (no-op for an id the fleet lacks). */
	moveTo(id: number): void {
		const index = this.clusters.findIndex((c) => c.id === id);
		if (index >= 0) this.active = index;
	}

	/** Points at what lies under canvas point (x, y), CSS px; returns it. */
	pointAt(x: number, y: number): Hit | null {
		const hit = hitTest(this.layout, x, y);
		this.hover = hit;
		return hit;
	}

	/** The shard id under a hit, when the hit is on one of its cluster's shards. */
	shardAt(hit: Hit | null): number | null {
		if (!hit || hit.slot === null) return null;
		return this.clusters[hit.index]?.shardIds[hit.slot] ?? null;
	}
}
