import type { ClusterHealth, ClusterLifecycle, OverallState, ShardState, UptimeFigures } from '#shared';
import { m } from '#i18n/messages';
import type { ConnectionState } from '$lib/status/viewer-connection';
import type { TileKind } from '$lib/status/shard-view';

/* One table per literal union: a new state that lacks a label fails the type check here. */

export const shardStateLabel: Record<ShardState | 'missing', () => string> = {
	ready: m.shard_state_ready,
	connecting: m.shard_state_connecting,
	reconnecting: m.shard_state_reconnecting,
	resuming: m.shard_state_resuming,
	identifying: m.shard_state_identifying,
	'waiting-for-guilds': m.shard_state_waiting_for_guilds,
	nearly: m.shard_state_nearly,
	idle: m.shard_state_idle,
	disconnected: m.shard_state_disconnected,
	missing: m.shard_state_missing
};

export const overallHeadline: Record<OverallState, () => string> = {
	operational: m.overall_operational,
	degraded: m.overall_degraded,
	outage: m.overall_outage,
	unknown: m.overall_unknown
};

export const overallLabel: Record<OverallState, () => string> = {
	operational: m.state_operational,
	degraded: m.state_degraded,
	outage: m.state_outage,
	unknown: m.state_unknown
};

export const lifecycleLabel: Record<ClusterLifecycle, () => string> = {
	starting: m.lifecycle_starting,
	running: m.lifecycle_running,
	stopped: m.lifecycle_stopped
};

export const healthLabel: Record<ClusterHealth, () => string> = {
	healthy: m.health_healthy,
	degraded: m.health_degraded,
	down: m.health_down
};

export const connectionLabel: Record<ConnectionState, () => string> = {
	connecting: m.conn_connecting,
	live: m.conn_live,
	reconnecting: m.conn_reconnecting,
	offline: m.conn_offline
};

export const legendLabel: Record<TileKind, () => string> = {
	up: m.legend_up,
	transitional: m.legend_transitional,
	down: m.legend_down,
	missing: m.legend_missing
};

// Incidents are worded by the server's feeds and webhooks too: their tables live with the one renderer.
export { impactLabel, incidentStatusLabel } from '#shared/i18n/incident-text';

export const uptimePeriodLabel: Record<keyof UptimeFigures, () => string> = {
	'24h': m.uptime_24h,
	'7d': m.uptime_7d,
	'30d': m.uptime_30d,
	'90d': m.uptime_90d
};
