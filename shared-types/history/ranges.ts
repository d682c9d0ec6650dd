/** Runs of consecutive ids, sorted and deduplicated first: `[0, 1, 2, 7]` → `[[0, 2], [7, 7]]`. */
export function idRuns(ids: readonly number[]): [first: number, last: number][] {
	const sorted = [...new Set(ids)].sort((a, b) => a - b);
	const runs: [number, number][] = [];
	for (let i = 0; i < sorted.length; ) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
		runs.push([sorted[i]!, sorted[j]!]);
		i = j + 1;
	}
	return runs;
}

/** An en dash between word joiners: a range never breaks across lines ("8–" then "10" reads as two things). */
const RANGE_DASH = '\u2060–\u2060';

/** One run as text: `"7"` or `"0–15"` (en dash held to its numbers; ids in plain digits, never grouped). */
export function runText([first, last]: readonly [number, number]): string {
	return first === last ? `${first}` : `${first}${RANGE_DASH}${last}`;
}

/** `[0, 1, …, 15, 32]` → `"0–15, 32"` (sorted and deduplicated first; see `runText`). */
export function compactRanges(ids: readonly number[]): string {
	return idRuns(ids).map(runText).join(', ');
}
