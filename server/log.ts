import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs (one object per line) for production log pipelines.
 * Secrets never reach a log call: handshakes are logged by socket id and address only.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
	return pino({ level, base: { service: 'shardbeat' }, redact: ['secret', 'token', '*.secret', '*.token'] }, destination);
}
