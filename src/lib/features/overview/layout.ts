/*
 * Where the fleet overview draws each shard: clusters as blocks of cells, in rows across the
 * width, cells as big as the fleet allows within a height. Pure, so the canvas, hit-testing and
 * the keyboard all read the same geometry.
 */

/** Cell sizes tried, largest first, in CSS px. */
export const CELL_SIZES = [16, 12, 10, 8, 6, 5, 4, 3, 2, 1] as const;
/** Cells at least this big are worth pointing at one by one (tooltip per shard). */
export const SHARD_LEVEL_CELL = 6;

export interface OverviewLayout {
	/** Clusters laid out. */
	count: number;
	/** Cells per block: columns and rows (every cluster gets the biggest cluster's block). */
	blockCols: number;
	blockRows: number;
	/** Cell edge, px. */
	cell: number;
	/** Between two cells of a block, px. */
	gap: number;
	/** Room around a block for its frame (problem, stopped, maintenance), px. */
	frame: number;
	/** One block with its frame and spacing, px. */
	pitchX: number;
	pitchY: number;
	/** Blocks per row, and rows. */
	perRow: number;
	rows: number;
	/** What the canvas must be, CSS px. */
	width: number;
	height: number;
	/** Cells are big enough to point at one shard. */
	shardLevel: boolean;
}

export interface LayoutInput {
	/** How many clusters. */
	clusters: number;
	/** The most shards any one cluster has (at least 1 is laid out). */
	shardsPerCluster: number;
	/** Width available, CSS px. */
	width: number;
	/** Height the overview should stay within, CSS px; the smallest cells are used when even they do not fit. */
	maxHeight: number;
}

function layoutFor(cell: number, input: LayoutInput): OverviewLayout {
	const perBlock = Math.max(1, input.shardsPerCluster);
	const blockCols = Math.ceil(Math.sqrt(perBlock));
	const blockRows = Math.ceil(perBlock / blockCols);
	const gap = cell >= 3 ? 1 : 0;
	const frame = cell >= 4 ? 2 : 1;
	// The frame sits just outside the block; one more pixel keeps two neighbours' frames apart.
	const pitchX = blockCols * cell + (blockCols - 1) * gap + 2 * frame + 1;
	const pitchY = blockRows * cell + (blockRows - 1) * gap + 2 * frame + 1;
	const perRow = Math.max(1, Math.floor(Math.max(0, input.width) / pitchX));
	const count = Math.max(0, input.clusters);
	const rows = Math.ceil(count / perRow);
	return {
		count,
		blockCols,
		blockRows,
		cell,
		gap,
		frame,
		pitchX,
		pitchY,
		perRow,
		rows,
		width: Math.min(count, perRow) * pitchX,
		height: rows * pitchY,
		shardLevel: cell >= SHARD_LEVEL_CELL
	};
}

/** The biggest cells with which every cluster fits `width` × `maxHeight` (or the smallest cells). */
export function overviewLayout(input: LayoutInput): OverviewLayout {
	for (const cell of CELL_SIZES) {
		const layout = layoutFor(cell, input);
		if (layout.height <= input.maxHeight) return layout;
	}
	return layoutFor(CELL_SIZES.at(-1)!, input);
}

export interface Rect {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** The block of cluster `index` (cells only, without its frame). */
export function blockRect(layout: OverviewLayout, index: number): Rect {
	const col = index % layout.perRow;
	const row = Math.floor(index / layout.perRow);
	return {
		x: col * layout.pitchX + layout.frame,
		y: row * layout.pitchY + layout.frame,
		width: layout.blockCols * layout.cell + (layout.blockCols - 1) * layout.gap,
		height: layout.blockRows * layout.cell + (layout.blockRows - 1) * layout.gap
	};
}

/** The cell of the `slot`-th shard (in `shardIds` order) of cluster `index`. */
export function cellRect(layout: OverviewLayout, index: number, slot: number): Rect {
	const block = blockRect(layout, index);
	const step = layout.cell + layout.gap;
	return { x: block.x + (slot % layout.blockCols) * step, y: block.y + Math.floor(slot / layout.blockCols) * step, width: layout.cell, height: layout.cell };
}

/** What a point on the overview is over. `slot` is set only where cells are big enough ({@link SHARD_LEVEL_CELL}). */
export interface Hit {
	index: number;
	slot: number | null;
}

/**
 * The cluster (and, with big cells, the shard slot) under a point, or null off every block. A
 * block's frame and spacing count as the block, so small blocks are easy to hit; gaps between
 * cells count as the cell before them.
 */
export function hitTest(layout: OverviewLayout, x: number, y: number): Hit | null {
	if (!(x >= 0 && y >= 0)) return null;
	const col = Math.floor(x / layout.pitchX);
	const row = Math.floor(y / layout.pitchY);
	if (col >= layout.perRow) return null;
	const index = row * layout.perRow + col;
	if (index >= layout.count) return null;
	if (!layout.shardLevel) return { index, slot: null };
	const block = blockRect(layout, index);
	const step = layout.cell + layout.gap;
	const cx = Math.floor((x - block.x) / step);
	const cy = Math.floor((y - block.y) / step);
	const inside = x >= block.x && y >= block.y && cx < layout.blockCols && cy < layout.blockRows;
	return { index, slot: inside ? cy * layout.blockCols + cx : null };
}
