import type { IncomingHttpHeaders } from 'node:http';

/**
 * The IP a request is counted against. By default the TCP peer: nothing a client sends can change
 * it. With `trustProxy` the first `X-Forwarded-For` hop, which is right only behind a proxy that
 * overwrites the header; exposed directly, a client could name any IP and escape every limit.
 */
export function clientIp(headers: IncomingHttpHeaders, remoteAddress: string | undefined, trustProxy: boolean): string {
	if (trustProxy) {
		const forwarded = headers['x-forwarded-for'];
		const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
		if (first) return normalizeIp(first);
	}
	return normalizeIp(remoteAddress ?? 'unknown');
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) is the same client as `1.2.3.4`. */
function normalizeIp(ip: string): string {
	const lower = ip.toLowerCase();
	// Keys stay short whatever a proxy forwards: an IPv6 address is at most 45 characters.
	return (lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower).slice(0, 64);
}
