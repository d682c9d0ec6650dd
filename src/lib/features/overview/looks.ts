import { clusterHealth, latencyBand, shardStateKind, type ClusterStatus, type LatencyBands, type ShardStatus } from '#shared';

/** What the overview colours shards by: their state, or their gateway ping. */
export type ColourBy = 'health' | 'latency';

/**
 * How a cluster's block is framed, the overview's second cue beside colour: healthy blocks have
 * no frame, so the eye lands on the ones that do.
 */
export type ClusterFrame = 'healthy' | 'degraded' | 'down' | 'stopped' | 'maintenance';

/** Frames of clusters that need a look, worst first (the summary's order). */
export const PROBLEM_FRAMES = ['stopped', 'down', 'degraded', 'maintenance'] as const satisfies readonly ClusterFrame[];
export type ProblemFrame = (typeof PROBLEM_FRAMES)[number];

/**
 * The frame of `cluster`: as its card's border says it. Trouble inside an active maintenance
 * window is planned and framed as maintenance; otherwise a stopped process, then health.
 */
export function clusterFrame(cluster: ClusterStatus, maintenance: boolean): ClusterFrame {
	const health = clusterHealth(cluster);
	if (maintenance && health !== 'healthy') return 'maintenance';
	if (cluster.lifecycle === 'stopped') return 'stopped';
	return health;
}

/**
 * How one shard's cell is painted. `stopped`: its cluster is stopped (its shards' last states
 * mean nothing); `missing`: assigned but never reported; in the latency view a ready shard's
 * ping band (`fast`, `ok`, `slow`), or `up` when it has no ping to show.
 */
export type CellPaint = 'up' | 'transitional' | 'down' | 'missing' | 'stopped' | 'fast' | 'ok' | 'slow';

/** Every paint, in drawing order; a paint's index is its code in the overview's typed arrays. */
export const CELL_PAINTS = ['up', 'transitional', 'down', 'missing', 'stopped', 'fast', 'ok', 'slow'] as const satisfies readonly CellPaint[];

export function cellPaint(shard: ShardStatus | undefined, clusterStopped: boolean, colourBy: ColourBy, bands: LatencyBands): CellPaint {
	if (clusterStopped) return 'stopped';
	if (!shard) return 'missing';
	const kind = shardStateKind(shard.state);
	if (colourBy === 'latency' && kind === 'up') return latencyBand(shard.ping, bands) ?? 'up';
	return kind;
}

/** One line of the overview's summary: how many clusters have a frame, and which (the first `ids`). */
export interface SummaryPart {
	frame: ClusterFrame;
	count: number;
	/** The first ids, ascending, at most `maxIds`. */
	ids: number[];
	/** How many more there are than `ids` lists. */
	more: number;
}

/**
 * The summary the overview shows and reads out: the count of healthy clusters, then for each
 * problem frame with any cluster, its count and first `maxIds` ids ("3 clusters degraded: 12, 40,
 * 977"). `frames[i]` is the frame of `ids[i]`.
 */
export function summarize(ids: readonly number[], frames: readonly ClusterFrame[], maxIds = 10): SummaryPart[] {
	const byFrame = new Map<ClusterFrame, number[]>();
	frames.forEach((frame, i) => {
		const list = byFrame.get(frame) ?? [];
		list.push(ids[i]!);
		byFrame.set(frame, list);
	});
	const part = (frame: ClusterFrame): SummaryPart => {
		const all = (byFrame.get(frame) ?? []).sort((a, b) => a - b);
		return { frame, count: all.length, ids: all.slice(0, maxIds), more: Math.max(0, all.length - maxIds) };
	};
	return [part('healthy'), ...PROBLEM_FRAMES.map(part).filter((p) => p.count > 0)];
}
