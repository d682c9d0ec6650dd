export * from './bytes.ts';
export * from './cluster-codec.ts';
export * from './fleet-update.ts';
export * from './fleet-replica.ts';
