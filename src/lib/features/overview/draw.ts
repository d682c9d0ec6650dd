import type { ClusterStatus, LatencyBands, ShardStatus } from '#shared';
import { blockRect, type OverviewLayout, type Rect } from './layout.ts';
import { CELL_PAINTS, cellPaint, type CellPaint, type ClusterFrame, type ColourBy } from './looks.ts';

/** The colours the canvas paints with, read from the page's CSS variables (light or dark). */
export interface Palette {
	paint: Record<CellPaint, string>;
	/** `paint` as pixels (RGBA bytes packed as the platform's Uint32), with their alpha, for the cell buffer. */
	pixel: Record<CellPaint, number>;
	frame: Record<Exclude<ClusterFrame, 'healthy'>, string>;
	stripe: string;
}

/** The palette in force for `el` (its theme's CSS variables). Costs a style read: call on theme changes only. */
export function readPalette(el: Element): Palette {
	const css = getComputedStyle(el);
	const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
	const none = v('--none', '#64748b');
	const paint: Record<CellPaint, string> = {
			up: v('--up', '#15803d'),
			transitional: v('--warn', '#b45309'),
			down: v('--down', '#dc2626'),
			missing: none,
			stopped: none,
			fast: v('--lat-fast', '#0e7490'),
			ok: v('--lat-ok', '#7c3aed'),
			slow: v('--lat-slow', '#9d174d')
	};
	return {
		paint,
		pixel: packColours(paint),
		frame: { degraded: v('--warn', '#b45309'), down: v('--down', '#dc2626'), stopped: v('--down', '#dc2626'), maintenance: v('--maint', '#0369a1') },
		stripe: v('--overview-stripe', 'rgba(255,255,255,0.55)')
	};
}

/** Stopped and unreported cells are drawn faded: they say "nothing to see", not "down". */
const FADED: ReadonlySet<CellPaint> = new Set(['stopped', 'missing']);

/** CSS colours as packed pixels: the canvas itself parses them (hex, rgb(), names alike). */
function packColours(paint: Record<CellPaint, string>): Record<CellPaint, number> {
	const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
	const out = {} as Record<CellPaint, number>;
	for (const p of CELL_PAINTS) {
		if (!ctx) {
			out[p] = 0;
			continue;
		}
		ctx.clearRect(0, 0, 1, 1);
		ctx.fillStyle = paint[p];
		ctx.fillRect(0, 0, 1, 1);
		const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
		const rgba = new Uint8ClampedArray([r!, g!, b!, FADED.has(p) ? 140 : 255]);
		out[p] = new Uint32Array(rgba.buffer)[0]!;
	}
	return out;
}

/** Everything a drawing depends on besides the clusters; a change of any redraws the whole canvas. */
export interface Scene {
	layout: OverviewLayout;
	colourBy: ColourBy;
	bands: LatencyBands;
	palette: Palette;
	/** Device pixels per CSS px. */
	dpr: number;
}

/**
 * Paints the overview on a canvas, and on later calls repaints only the blocks whose cluster
 * object or frame changed: a delta names one or two clusters, so it costs one or two blocks, not
 * 16,000 cells.
 */
export class OverviewPainter {
	#scene: Scene | null = null;
	#drawn: (ClusterStatus | undefined)[] = [];
	#frames: ClusterFrame[] = [];

	/** Draws; returns how many blocks were (re)painted. */
	draw(canvas: HTMLCanvasElement, scene: Scene, clusters: readonly ClusterStatus[], frames: readonly ClusterFrame[]): number {
		const { layout, dpr } = scene;
		const full = this.#scene === null || !sameScene(this.#scene, scene) || this.#drawn.length !== clusters.length;
		const width = Math.max(1, Math.round(layout.width * dpr));
		const height = Math.max(1, Math.round(layout.height * dpr));
		const resized = canvas.width !== width || canvas.height !== height;
		if (resized) {
			canvas.width = width;
			canvas.height = height;
			canvas.style.width = `${layout.width}px`;
			canvas.style.height = `${layout.height}px`;
		}
		const ctx = canvas.getContext('2d');
		if (!ctx) return 0;
		ctx.setTransform(dpr, 0, 0, dpr, 0, 0);

		let painted = 0;
		if (full || resized) {
			ctx.clearRect(0, 0, layout.width, layout.height);
			const all = clusters.map((_, i) => i);
			if (all.length > 0) paintBlocks(ctx, scene, clusters, frames, all, { x: 0, y: 0, width: layout.width, height: layout.height });
			painted = all.length;
		} else {
			for (let i = 0; i < clusters.length; i++) {
				if (this.#drawn[i] === clusters[i] && this.#frames[i] === frames[i]) continue;
				const b = blockRect(layout, i);
				const framed = { x: b.x - layout.frame, y: b.y - layout.frame, width: b.width + 2 * layout.frame, height: b.height + 2 * layout.frame };
				ctx.clearRect(framed.x, framed.y, framed.width, framed.height);
				paintBlocks(ctx, scene, clusters, frames, [i], framed);
				painted++;
			}
		}
		this.#scene = scene;
		this.#drawn = [...clusters];
		this.#frames = [...frames];
		return painted;
	}
}

function sameScene(a: Scene, b: Scene): boolean {
	return (
		a.colourBy === b.colourBy &&
		a.bands[0] === b.bands[0] &&
		a.bands[1] === b.bands[1] &&
		a.palette === b.palette &&
		a.dpr === b.dpr &&
		a.layout.cell === b.layout.cell &&
		a.layout.perRow === b.layout.perRow &&
		a.layout.blockCols === b.layout.blockCols &&
		a.layout.blockRows === b.layout.blockRows &&
		a.layout.count === b.layout.count
	);
}

/** Below this many cells a drawing fills rectangles; above, it fills a pixel buffer (see `fillPixels`). */
const PIXEL_BUFFER_FROM = 2_000;

function paintBlocks(ctx: CanvasRenderingContext2D, scene: Scene, clusters: readonly ClusterStatus[], frames: readonly ClusterFrame[], indices: readonly number[], region: Rect): void {
	const { layout, colourBy, bands, palette } = scene;
	const step = layout.cell + layout.gap;
	// Cell origins per paint, x and y interleaved.
	const cells: number[][] = CELL_PAINTS.map(() => []);
	const byFrame: Record<Exclude<ClusterFrame, 'healthy'>, Rect[]> = { degraded: [], down: [], stopped: [], maintenance: [] };
	let count = 0;
	for (const i of indices) {
		const cluster = clusters[i]!;
		const block = blockRect(layout, i);
		const stopped = cluster.lifecycle === 'stopped';
		const shards = cluster.shards;
		// Shards arrive ascending by id like shardIds: walk both at once instead of building a map per cluster.
		let k = 0;
		for (let slot = 0; slot < cluster.shardIds.length; slot++) {
			const id = cluster.shardIds[slot]!;
			while (k < shards.length && shards[k]!.id < id) k++;
			const shard: ShardStatus | undefined = shards[k]?.id === id ? shards[k] : undefined;
			cells[PAINT_CODE[cellPaint(shard, stopped, colourBy, bands)]]!.push(block.x + (slot % layout.blockCols) * step, block.y + Math.floor(slot / layout.blockCols) * step);
			count++;
		}
		const frame = frames[i]!;
		if (frame !== 'healthy') byFrame[frame].push(block);
	}
	if (count >= PIXEL_BUFFER_FROM) fillPixels(ctx, scene, cells, region);
	else fillRects(ctx, scene, cells);

	const slow = cells[PAINT_CODE.slow]!;
	if (slow.length > 0 && layout.cell >= 4) stripeCells(ctx, slow, layout.cell, palette.stripe);
	const w = layout.frame;
	for (const frame of ['degraded', 'down', 'stopped', 'maintenance'] as const) {
		const blocks = byFrame[frame];
		if (blocks.length === 0) continue;
		if (frame === 'maintenance') for (const b of blocks) stripeRect(ctx, b, palette.stripe);
		ctx.strokeStyle = palette.frame[frame];
		ctx.lineWidth = w;
		ctx.setLineDash(frame === 'stopped' && layout.cell >= 2 ? [Math.max(2, w * 2), w] : []);
		ctx.beginPath();
		for (const b of blocks) ctx.rect(b.x - w / 2, b.y - w / 2, b.width + w, b.height + w);
		ctx.stroke();
		ctx.setLineDash([]);
	}
}

const PAINT_CODE = Object.fromEntries(CELL_PAINTS.map((p, i) => [p, i])) as Record<CellPaint, number>;

/** A few cells (a delta's block or two): one fillRect each, a colour switch per paint. */
function fillRects(ctx: CanvasRenderingContext2D, scene: Scene, cells: readonly number[][]): void {
	const size = scene.layout.cell;
	CELL_PAINTS.forEach((paint, p) => {
		const list = cells[p]!;
		if (list.length === 0) return;
		if (paint === 'missing' && size >= 4) {
			// Not reported: an empty square, as on the tiles.
			ctx.strokeStyle = scene.palette.paint.missing;
			ctx.lineWidth = 1;
			ctx.beginPath();
			for (let j = 0; j < list.length; j += 2) ctx.rect(list[j]! + 0.5, list[j + 1]! + 0.5, size - 1, size - 1);
			ctx.stroke();
			return;
		}
		ctx.fillStyle = scene.palette.paint[paint];
		ctx.globalAlpha = FADED.has(paint) ? 0.55 : 1;
		for (let j = 0; j < list.length; j += 2) ctx.fillRect(list[j]!, list[j + 1]!, size, size);
		ctx.globalAlpha = 1;
	});
}

/**
 * Many cells (a whole fleet): written into a pixel buffer over `region` (CSS px) and put on the
 * canvas at once. 50,000 fillRect calls cost ~200 ms in software-rendered Chromium; this, a few.
 */
function fillPixels(ctx: CanvasRenderingContext2D, scene: Scene, cells: readonly number[][], region: Rect): void {
	const { layout, dpr, palette } = scene;
	const rx = Math.round(region.x * dpr);
	const ry = Math.round(region.y * dpr);
	const rw = Math.max(1, Math.round((region.x + region.width) * dpr) - rx);
	const rh = Math.max(1, Math.round((region.y + region.height) * dpr) - ry);
	const image = ctx.createImageData(rw, rh);
	const pixels = new Uint32Array(image.data.buffer);
	const edge = Math.max(1, Math.round(dpr));
	CELL_PAINTS.forEach((paint, p) => {
		const list = cells[p]!;
		const colour = palette.pixel[paint];
		// Not reported, with room for it: an empty square, as on the tiles.
		const hollow = paint === 'missing' && layout.cell >= 4;
		for (let j = 0; j < list.length; j += 2) {
			const x = list[j]!;
			const y = list[j + 1]!;
			const x0 = Math.max(0, Math.round(x * dpr) - rx);
			const y0 = Math.max(0, Math.round(y * dpr) - ry);
			const x1 = Math.min(rw, Math.round((x + layout.cell) * dpr) - rx);
			const y1 = Math.min(rh, Math.round((y + layout.cell) * dpr) - ry);
			for (let py = y0; py < y1; py++) {
				const row = py * rw;
				if (hollow && py >= y0 + edge && py < y1 - edge) {
					pixels.fill(colour, row + x0, row + x0 + edge);
					pixels.fill(colour, row + x1 - edge, row + x1);
				} else {
					for (let px = row + x0; px < row + x1; px++) pixels[px] = colour;
				}
			}
		}
	});
	ctx.putImageData(image, rx, ry);
}

/** Diagonal stripes over each cell: the slow band's second cue. */
function stripeCells(ctx: CanvasRenderingContext2D, origins: readonly number[], size: number, colour: string): void {
	ctx.strokeStyle = colour;
	ctx.lineWidth = Math.max(1, size / 5);
	ctx.beginPath();
	for (let j = 0; j < origins.length; j += 2) {
		const x = origins[j]!;
		const y = origins[j + 1]!;
		ctx.moveTo(x, y + size);
		ctx.lineTo(x + size, y);
	}
	ctx.stroke();
}

/** Diagonal stripes across a block: maintenance's second cue, beside its frame. */
function stripeRect(ctx: CanvasRenderingContext2D, r: Rect, colour: string): void {
	ctx.save();
	ctx.beginPath();
	ctx.rect(r.x, r.y, r.width, r.height);
	ctx.clip();
	ctx.strokeStyle = colour;
	ctx.lineWidth = Math.max(1, Math.min(r.width, r.height) / 8);
	ctx.beginPath();
	const gap = Math.max(3, Math.min(r.width, r.height) / 3);
	for (let d = -r.height; d < r.width; d += gap) {
		ctx.moveTo(r.x + d, r.y + r.height);
		ctx.lineTo(r.x + d + r.height, r.y);
	}
	ctx.stroke();
	ctx.restore();
}
