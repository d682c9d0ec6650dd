/** `[0, 1, …, 15, 32]` → `"0–15, 32"` (sorted and deduplicated first). */
export function compactRanges(ids: readonly number[]): string {
	const sorted = [...new Set(ids)].sort((a, b) => a - b);
	const parts: string[] = [];
	for (let i = 0; i < sorted.length; ) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
		parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
		i = j + 1;
	}
	return parts.join(', ');
}
