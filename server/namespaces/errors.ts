import type { ConnectErrorData, ErrorCode } from '#shared';

/** An Error whose `data` reaches the client's `connect_error` handler, so it can act on the code. */
export function connectError(code: ErrorCode, message: string, retryAfterMs?: number): Error & { data: ConnectErrorData } {
	return Object.assign(new Error(message), { data: retryAfterMs === undefined ? { code } : { code, retryAfterMs } });
}

/**
 * Socket.io hands listeners whatever the peer sent; an acknowledgement is only usable when the
 * last argument is a function. Peers that omit it get no answer rather than a crash.
 */
export function ackOf(args: unknown[]): ((result: unknown) => void) | undefined {
	const last = args.at(-1);
	return typeof last === 'function' ? (last as (result: unknown) => void) : undefined;
}
