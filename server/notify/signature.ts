import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `sha256=<hex>`: HMAC-SHA256 of `"<timestamp>.<raw body>"` keyed with the target's secret. The
 * timestamp is inside the signed text so a receiver that rejects stale timestamps also rejects
 * replays of an old, validly signed body.
 */
export function signPayload(secret: string, timestamp: number | string, body: string | Uint8Array): string {
	return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Whether `header` (the `X-Shardbeat-Signature` value) signs `body` sent at `timestamp`
 * (`X-Shardbeat-Timestamp`). Pass the body exactly as received, before any JSON parsing.
 * Constant-time, so the comparison leaks nothing about the expected value. Receivers should also
 * refuse timestamps more than a few minutes old.
 */
export function verifySignature(secret: string, timestamp: number | string, body: string | Uint8Array, header: string | null | undefined): boolean {
	if (typeof header !== 'string') return false;
	const expected = Buffer.from(signPayload(secret, timestamp, body));
	const given = Buffer.from(header);
	// timingSafeEqual throws on a length mismatch; the length of a hex digest is no secret.
	return given.length === expected.length && timingSafeEqual(given, expected);
}
