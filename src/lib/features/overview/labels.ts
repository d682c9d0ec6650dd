import { m } from '#i18n/messages';
import { healthLabel, lifecycleLabel } from '$lib/i18n/labels';
import type { ClusterFrame, ProblemFrame } from './looks.ts';

/** A frame's word, as on the cluster cards. */
export const frameLabel: Record<ClusterFrame, () => string> = {
	healthy: healthLabel.healthy,
	degraded: healthLabel.degraded,
	down: healthLabel.down,
	stopped: lifecycleLabel.stopped,
	maintenance: m.maintenance_badge
};

/** "3 clusters degraded:", the head of a summary line that lists their ids. */
export const problemLine: Record<ProblemFrame, (inputs: { count: number }) => string> = {
	stopped: m.overview_stopped,
	down: m.overview_down,
	degraded: m.overview_degraded,
	maintenance: m.overview_maintenance
};
