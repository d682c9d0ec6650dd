export * from './intervals.ts';
export * from './uptime.ts';
export * from './days.ts';
export * from './incidents.ts';
export * from './api.ts';
export * from './ranges.ts';
export * from './coalesce.ts';
