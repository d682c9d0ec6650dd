export * from './scope.ts';
export * from './webhook-url.ts';
export * from './touches.ts';
