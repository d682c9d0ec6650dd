/** Keys that move the overview's one focus stop across clusters. */
export const MOVE_KEYS = ['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'PageUp'] as const;
export type MoveKey = (typeof MOVE_KEYS)[number];

/** Rows a PageUp or PageDown moves. */
export const PAGE_ROWS = 5;

export function isMoveKey(key: string): key is MoveKey {
	return (MOVE_KEYS as readonly string[]).includes(key);
}

/**
 * Where a key moves the focus from cluster `index` of `count`, laid out `perRow` to a row:
 * arrows by one cluster or one row, Home and End to the first and last cluster, PageUp and
 * PageDown by five rows. It stays put rather than wrap or leave the grid (Down on the last row
 * stays on its cluster), so holding a key never loses the user's place.
 */
export function moveIndex(key: MoveKey, index: number, count: number, perRow: number): number {
	if (count <= 0) return 0;
	const at = Math.min(Math.max(0, index), count - 1);
	const row = Math.max(1, perRow);
	const lastRowStart = Math.floor((count - 1) / row) * row;
	switch (key) {
		case 'ArrowRight':
			return Math.min(count - 1, at + 1);
		case 'ArrowLeft':
			return Math.max(0, at - 1);
		case 'ArrowDown':
			// From the row above a short last row, Down lands on its last cluster.
			return at >= lastRowStart ? at : Math.min(count - 1, at + row);
		case 'ArrowUp':
			return at < row ? at : at - row;
		case 'Home':
			return 0;
		case 'End':
			return count - 1;
		case 'PageDown':
			return at >= lastRowStart ? at : Math.min(count - 1, at + row * PAGE_ROWS);
		case 'PageUp':
			return at < row ? at : Math.max(at % row, at - row * PAGE_ROWS);
	}
}
