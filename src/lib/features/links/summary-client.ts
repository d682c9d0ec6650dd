import { z } from 'zod';
import type { StatusSummary } from '#shared';

/**
 * The part of `GET /api/v1/summary` a link preview reads, checked at the boundary: a server of
 * another version, a proxy's error page or a truncated body is refused, not half-read.
 */
const SummarySchema = z.object({
	status: z.object({
		state: z.enum(['operational', 'degraded', 'outage', 'maintenance', 'unknown']),
		shardsUp: z.number().int().nonnegative(),
		shardsTotal: z.number().int().nonnegative()
	}),
	clusters: z.array(
		z.object({
			id: z.number().int().nonnegative(),
			health: z.enum(['healthy', 'degraded', 'down', 'maintenance']),
			shardsUp: z.number().int().nonnegative(),
			shards: z.number().int().nonnegative()
		})
	)
});

export type PreviewSummary = z.infer<typeof SummarySchema>;
// The server's summary must carry everything read here: a renamed field fails the type check.
const summaryFits = (summary: StatusSummary): PreviewSummary => summary;
void summaryFits;

/** How long the page's server side waits for the summary before rendering the preview without a state. */
export const SUMMARY_TIMEOUT_MS = 1_500;

/**
 * The status server's public summary, or null when it is not configured, does not answer within
 * `timeoutMs`, or answers with something that is not a summary. Never throws: a preview without
 * the state beats a page that fails to render.
 */
export async function fetchSummary(serverUrl: string, fetch: typeof globalThis.fetch, timeoutMs = SUMMARY_TIMEOUT_MS): Promise<PreviewSummary | null> {
	if (!serverUrl) return null;
	try {
		const response = await fetch(new URL('/api/v1/summary', serverUrl), { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
		if (!response.ok) return null;
		const parsed = SummarySchema.safeParse(await response.json());
		return parsed.success ? parsed.data : null;
	} catch {
		return null;
	}
}
