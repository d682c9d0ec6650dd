export * from './scope.ts';
export * from './webhook-url.ts';
