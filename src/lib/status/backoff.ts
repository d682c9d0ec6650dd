/**
 * Exponential backoff with ±50 % jitter: attempt 0 waits about `baseMs`, each further attempt
 * doubles up to `maxMs`. The jitter spreads a crowd of pages that lost the server at the same
 * moment, so they do not all come back in the same second.
 */
export function backoffDelay(attempt: number, baseMs = 1_000, maxMs = 30_000, random = Math.random): number {
	const ideal = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
	return Math.round(ideal * (0.5 + random()));
}
