export * from './shard-state.ts';
export * from './discord-status.ts';
export * from './cluster.ts';
export * from './heartbeat.ts';
export * from './events.ts';
export * from './health.ts';
export * from './guild-shard.ts';
