/*
 * Moved to testing/server/harness.ts (import '#testing/server/harness'). This re-export stays only
 * until src/lib/status/viewer-connection.node.spec.ts, outside this change, imports it from there.
 */
export * from '../../testing/server/harness.ts';
