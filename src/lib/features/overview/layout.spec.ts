import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { blockRect, cellRect, CELL_SIZES, hitTest, overviewLayout, SHARD_LEVEL_CELL, type LayoutInput, type Rect } from './layout.ts';

/** The content width at 1280 px (max-w-7xl less its padding) and at a 360 px phone. */
const DESKTOP = 1232;
const PHONE = 336;

describe('overviewLayout', () => {
	it.each([
		{ name: '1,000 × 16 at 1280 px', input: { clusters: 1_000, shardsPerCluster: 16, width: DESKTOP, maxHeight: 520 }, cell: 4, perRow: 51, height: 480 },
		{ name: '3,125 × 16 (50,000) at 1280 px', input: { clusters: 3_125, shardsPerCluster: 16, width: DESKTOP, maxHeight: 520 }, cell: 2, perRow: 112, height: 308 },
		{ name: '1,000 × 16 at 360 px', input: { clusters: 1_000, shardsPerCluster: 16, width: PHONE, maxHeight: 520 }, cell: 2, perRow: 30, height: 374 },
		{ name: '3,125 × 16 at 360 px: the smallest cells', input: { clusters: 3_125, shardsPerCluster: 16, width: PHONE, maxHeight: 520 }, cell: 1, perRow: 48, height: 462 },
		{ name: '8 × 4 (npm start): big cells, one row', input: { clusters: 8, shardsPerCluster: 4, width: DESKTOP, maxHeight: 520 }, cell: 16, perRow: 32, height: 38 },
		{ name: '3,125 × 16 at 360 px asked to fit 300 px: the smallest cells, taller than asked', input: { clusters: 3_125, shardsPerCluster: 16, width: PHONE, maxHeight: 300 }, cell: 1, perRow: 48, height: 462 },
		{ name: '1,000 × 50 at 1280 px', input: { clusters: 1_000, shardsPerCluster: 50, width: DESKTOP, maxHeight: 520 }, cell: 2, perRow: 64, height: 272 }
	])('$name: cells of $cell px, $perRow blocks a row, $height px tall', ({ input, cell, perRow, height }) => {
		const layout = overviewLayout(input);
		expect({ cell: layout.cell, perRow: layout.perRow, height: layout.height }).toEqual({ cell, perRow, height });
		expect(layout.width).toBeLessThanOrEqual(input.width);
	});

	it('points at single shards only where cells are big enough', () => {
		expect(overviewLayout({ clusters: 8, shardsPerCluster: 4, width: DESKTOP, maxHeight: 520 }).shardLevel).toBe(true);
		expect(overviewLayout({ clusters: 1_000, shardsPerCluster: 16, width: DESKTOP, maxHeight: 520 }).shardLevel).toBe(false);
	});

	it('lays out nothing for no clusters, and one block a row when even one does not fit', () => {
		expect(overviewLayout({ clusters: 0, shardsPerCluster: 0, width: DESKTOP, maxHeight: 520 })).toMatchObject({ count: 0, height: 0, width: 0 });
		expect(overviewLayout({ clusters: 3, shardsPerCluster: 400, width: 10, maxHeight: 520 })).toMatchObject({ perRow: 1, rows: 3 });
	});
});

const inputs = fc.record<LayoutInput>({
	clusters: fc.integer({ min: 1, max: 150 }),
	shardsPerCluster: fc.integer({ min: 1, max: 40 }),
	width: fc.integer({ min: 40, max: 2_000 }),
	maxHeight: fc.integer({ min: 20, max: 900 })
});
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const centre = (r: Rect) => [r.x + r.width / 2, r.y + r.height / 2] as const;

describe('overviewLayout: properties', () => {
	it('draws every shard exactly once: one cell per slot, inside the canvas, no two overlapping', () => {
		fc.assert(
			fc.property(inputs, (input) => {
				const layout = overviewLayout(input);
				const origins = new Set<string>();
				let outside = 0;
				for (let i = 0; i < layout.count; i++) {
					for (let s = 0; s < input.shardsPerCluster; s++) {
						const c = cellRect(layout, i, s);
						if (c.x < 0 || c.y < 0 || c.x + c.width > layout.width || c.y + c.height > layout.height) outside++;
						origins.add(`${c.x},${c.y}`);
					}
				}
				expect(outside).toBe(0);
				// Same-size cells on distinct origins of a grid whose step is at least a cell: no overlap.
				expect(origins.size).toBe(input.clusters * input.shardsPerCluster);
				expect(layout.cell + layout.gap).toBeGreaterThanOrEqual(layout.cell);
			}),
			{ numRuns: 60 }
		);
	});

	it('keeps blocks and their frames apart', () => {
		fc.assert(
			fc.property(inputs, (input) => {
				const layout = overviewLayout(input);
				const framed = (i: number) => {
					const b = blockRect(layout, i);
					return { x: b.x - layout.frame, y: b.y - layout.frame, width: b.width + 2 * layout.frame, height: b.height + 2 * layout.frame };
				};
				for (let i = 1; i < Math.min(layout.count, 60); i++) expect(overlaps(framed(i - 1), framed(i))).toBe(false);
				if (layout.count > layout.perRow) expect(overlaps(framed(0), framed(layout.perRow))).toBe(false);
			})
		);
	});

	it('hit-testing inverts the layout: the middle of each block (and, with big cells, of each cell) hits it', () => {
		fc.assert(
			fc.property(inputs, (input) => {
				const layout = overviewLayout(input);
				const misses: string[] = [];
				for (let i = 0; i < layout.count; i++) {
					const hit = hitTest(layout, ...centre(blockRect(layout, i)));
					if (hit?.index !== i || (!layout.shardLevel && hit.slot !== null)) misses.push(`block ${i}`);
					if (!layout.shardLevel) continue;
					for (let s = 0; s < input.shardsPerCluster; s++) {
						const cell = hitTest(layout, ...centre(cellRect(layout, i, s)));
						if (cell?.index !== i || cell.slot !== s) misses.push(`cell ${i}/${s}`);
					}
				}
				expect(misses).toEqual([]);
			}),
			{ numRuns: 60 }
		);
	});

	it('hits nothing off the blocks: left of or above the canvas, right of the last column, below the last cluster', () => {
		fc.assert(
			fc.property(inputs, (input) => {
				const layout = overviewLayout(input);
				expect(hitTest(layout, -1, 0)).toBeNull();
				expect(hitTest(layout, 0, -1)).toBeNull();
				expect(hitTest(layout, layout.perRow * layout.pitchX + 1, 0)).toBeNull();
				expect(hitTest(layout, 0, layout.rows * layout.pitchY + 1)).toBeNull();
				expect(hitTest(layout, Number.NaN, 0)).toBeNull();
			})
		);
	});

	it('uses one of the known cell sizes, shard level from 6 px up', () => {
		fc.assert(
			fc.property(inputs, (input) => {
				const layout = overviewLayout(input);
				expect(CELL_SIZES).toContain(layout.cell);
				expect(layout.shardLevel).toBe(layout.cell >= SHARD_LEVEL_CELL);
			})
		);
	});
});
