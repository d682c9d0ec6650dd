/*
 * The console's "affected clusters" field: operators type ids and ranges ("1, 4, 10-12"), the
 * API takes an ascending id list. Parsing is strict so a typo is named, never silently dropped.
 */

/** The most ids one field may expand to (the API's own limit). */
export const MAX_CLUSTER_IDS = 10_000;
/** The highest cluster id the API accepts. */
export const MAX_CLUSTER_ID = 1_000_000;

export type ClusterIdsResult = { ok: true; ids: number[] } | { ok: false; error: 'invalid'; part: string } | { ok: false; error: 'too-many' };

/** "1, 4, 10-12" (commas or spaces; `-` or `–` for ranges) → [1, 4, 10, 11, 12]; empty → []. */
export function parseClusterIds(text: string): ClusterIdsResult {
	const ids = new Set<number>();
	for (const part of text.split(/[\s,]+/).filter(Boolean)) {
		const match = /^(\d{1,7})(?:[-–](\d{1,7}))?$/.exec(part);
		if (!match) return { ok: false, error: 'invalid', part };
		const from = Number(match[1]);
		const to = match[2] === undefined ? from : Number(match[2]);
		if (to < from || to > MAX_CLUSTER_ID) return { ok: false, error: 'invalid', part };
		if (to - from + 1 > MAX_CLUSTER_IDS) return { ok: false, error: 'too-many' };
		for (let id = from; id <= to; id++) ids.add(id);
		if (ids.size > MAX_CLUSTER_IDS) return { ok: false, error: 'too-many' };
	}
	return { ok: true, ids: [...ids].sort((a, b) => a - b) };
}

/** [1, 4, 10, 11, 12] → "1, 4, 10–12": what `parseClusterIds` reads back to the same list. */
export function formatClusterIds(ids: readonly number[]): string {
	const sorted = [...new Set(ids)].sort((a, b) => a - b);
	const parts: string[] = [];
	for (let i = 0; i < sorted.length; ) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
		parts.push(j === i ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
		i = j + 1;
	}
	return parts.join(', ');
}
