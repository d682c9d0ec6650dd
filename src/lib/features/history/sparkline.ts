/*
 * Geometry and figures for the 24-hour ping sparkline: plain numbers, so the component only
 * draws what comes out of here.
 */

export interface SeriesStats {
	min: number;
	max: number;
	/** Mean of the buckets that have a value (each bucket weighs the same). */
	avg: number;
}

/** Min, mean and max of the non-null values; null when there are none. */
export function seriesStats(values: readonly (number | null)[]): SeriesStats | null {
	let min = Infinity;
	let max = -Infinity;
	let sum = 0;
	let n = 0;
	for (const v of values) {
		if (v === null || !Number.isFinite(v)) continue;
		min = Math.min(min, v);
		max = Math.max(max, v);
		sum += v;
		n++;
	}
	return n === 0 ? null : { min, max, avg: sum / n };
}

export interface SparkRun {
	/** SVG `points` for a polyline. */
	points: string;
	/** A run of one value has no line to draw: the component marks it with a dot at (x, y). */
	single: { x: number; y: number } | null;
}

/**
 * Polyline runs for `values` in a `width` × `height` box, one run per stretch without a gap
 * (a null breaks the line, so missing data is never drawn as a slope). The y range spans min
 * to max, padded by `pad` px, with a flat series drawn across the middle.
 */
export function sparkRuns(values: readonly (number | null)[], width: number, height: number, pad = 2): SparkRun[] {
	const stats = seriesStats(values);
	if (!stats) return [];
	const step = values.length > 1 ? width / (values.length - 1) : 0;
	const span = stats.max - stats.min;
	const y = (v: number) => (span === 0 ? height / 2 : pad + (1 - (v - stats.min) / span) * (height - 2 * pad));
	const round = (n: number) => Math.round(n * 100) / 100;

	const runs: SparkRun[] = [];
	let current: { x: number; y: number }[] = [];
	const flush = () => {
		if (current.length === 0) return;
		runs.push({ points: current.map((p) => `${p.x},${p.y}`).join(' '), single: current.length === 1 ? current[0]! : null });
		current = [];
	};
	values.forEach((v, i) => {
		if (v === null || !Number.isFinite(v)) flush();
		else current.push({ x: round(values.length > 1 ? i * step : width / 2), y: round(y(v)) });
	});
	flush();
	return runs;
}
