/*
 * The one door from the reporter package into the protocol of `shared-types/` (one source of
 * truth, never copied): esbuild and dts-bundle-generator inline what is used here into `dist/`,
 * so the published package carries the protocol it was built with and depends on nothing of the
 * monorepo. Relative paths, not `#shared`: that alias is the root package's, and this folder has
 * a package.json of its own.
 */
export { NAMESPACES, type Ack, type BotClientToServerEvents, type BotHeartbeat, type BotServerToClientEvents, type ConnectErrorData, type HeartbeatAccepted } from '../../../shared-types/events.ts';
export { LIMITS, PROTOCOL_VERSION, type Heartbeat, type ShardReport } from '../../../shared-types/heartbeat.ts';
export { FULL_HEARTBEAT_EVERY, advanceSnapshot, changedShards, snapshotHeartbeat } from '../../../shared-types/heartbeat-delta.ts';
export { jittered, type BackoffPolicy } from '../../../shared-types/retry.ts';
export type { ShardState } from '../../../shared-types/shard-state.ts';
export { fromDiscordJsStatus, fromErisShardStatus, fromWebSocketShardStatus, type ErisShardStatus } from '../../../shared-types/discord-status.ts';
export { isSnowflake, shardForGuild } from '../../../shared-types/guild-shard.ts';
