/**
 * Gateway ping bands for the status page's latency view: `[fast, ok]` in ms. A ping under `fast`
 * is fast, under `ok` is ok, anything else slow. The operator sets them (`SHARDBEAT_LATENCY_BANDS`)
 * and the page receives them with its viewer token.
 */
export type LatencyBands = readonly [fast: number, ok: number];

/** Which band a ping falls in. */
export type LatencyBand = 'fast' | 'ok' | 'slow';

/** PluralKit's shard page bands: under 200 ms, under 400 ms, slower. */
export const DEFAULT_LATENCY_BANDS: LatencyBands = [200, 400];

/** The largest band edge accepted, ms: a gateway heartbeat slower than a minute is no ping. */
export const MAX_LATENCY_BAND_MS = 60_000;

export type LatencyBandsCheck = { ok: true; bands: LatencyBands } | { ok: false; reason: string };

/**
 * Checks two band edges: whole milliseconds, 1 … 60,000, the first below the second. The reason
 * says what is wrong and what a good value looks like.
 */
export function checkLatencyBands(edges: readonly unknown[]): LatencyBandsCheck {
	const example = 'two whole numbers of ms, ascending, e.g. 200,400';
	if (edges.length !== 2) return { ok: false, reason: `must be ${example} (got ${edges.length} value${edges.length === 1 ? '' : 's'})` };
	const [fast, ok] = edges;
	for (const edge of [fast, ok]) {
		if (typeof edge !== 'number' || !Number.isInteger(edge) || edge < 1 || edge > MAX_LATENCY_BAND_MS) {
			return { ok: false, reason: `must be ${example}; each between 1 and ${MAX_LATENCY_BAND_MS} (got ${String(edge).slice(0, 20)})` };
		}
	}
	if ((fast as number) >= (ok as number)) return { ok: false, reason: `must be ${example}; the first below the second (got ${fast},${ok})` };
	return { ok: true, bands: [fast as number, ok as number] };
}

/** Parses the setting's text, `"200,400"`. */
export function parseLatencyBands(text: string): LatencyBandsCheck {
	const parts = text.split(',').map((p) => p.trim());
	return checkLatencyBands(parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
}

/**
 * The bands a page was sent, or the defaults when it was sent none or something unusable (an
 * older server, a proxy that mangled the body): a page never colours by bands it cannot trust.
 */
export function latencyBandsFrom(value: unknown): LatencyBands {
	if (!Array.isArray(value)) return DEFAULT_LATENCY_BANDS;
	const check = checkLatencyBands(value);
	return check.ok ? check.bands : DEFAULT_LATENCY_BANDS;
}

/** The band of `ping` ms; null for no ping (not connected yet, stopped, or hidden by the server). */
export function latencyBand(ping: number | null | undefined, bands: LatencyBands): LatencyBand | null {
	if (ping == null || !Number.isFinite(ping)) return null;
	return ping < bands[0] ? 'fast' : ping < bands[1] ? 'ok' : 'slow';
}
