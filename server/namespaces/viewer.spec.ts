import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectErrorData } from '#shared';
import { BOT_SECRET, TOKEN_SECRET, connectBot, connectViewer, fetchToken, getStatus, startServer, type Harness } from '#testing/server/harness';

let h: Harness;
beforeEach(async () => {
	h = await startServer();
});
afterEach(async () => {
	vi.useRealTimers();
	await h.close();
});

async function sign(secret: string, claims: { aud?: string; iss?: string; exp?: number; alg?: string } = {}) {
	const now = Math.floor(Date.now() / 1000);
	return new SignJWT({})
		.setProtectedHeader({ alg: claims.alg ?? 'HS256' })
		.setIssuer(claims.iss ?? 'shardbeat')
		.setAudience(claims.aud ?? 'shardbeat:viewer')
		.setIssuedAt(now)
		.setExpirationTime(claims.exp ?? now + 300)
		.sign(new TextEncoder().encode(secret));
}

async function refusal(token: string | undefined) {
	const error = (await connectViewer(h.url, token).catch((e: unknown) => e)) as Error & { data?: ConnectErrorData };
	expect(error).toBeInstanceOf(Error);
	return error;
}

describe('viewer handshake', () => {
	const cases: [string, () => Promise<string | undefined>, 'unauthorized' | 'token_expired'][] = [
		['no token', async () => undefined, 'unauthorized'],
		['a token that is not a JWT', async () => 'hello', 'unauthorized'],
		['a token signed with another key (forged)', () => sign('another-secret-0123456789abcdef0123456789'), 'unauthorized'],
		['a token for another audience', () => sign(TOKEN_SECRET, { aud: 'shardbeat:operator' }), 'unauthorized'],
		['a token from another issuer', () => sign(TOKEN_SECRET, { iss: 'someone-else' }), 'unauthorized'],
		['an expired token', () => sign(TOKEN_SECRET, { exp: Math.floor(Date.now() / 1000) - 5 }), 'token_expired'],
		['the bot secret used as a token', async () => BOT_SECRET, 'unauthorized']
	];
	it.for(cases)('refuses %s', async ([, make, code]) => {
		const error = await refusal(await make());
		expect(error.data?.code).toBe(code);
		expect(error.message).toMatch(/POST \/api\/token|not valid/);
		expect(h.server.io.of('/viewer').sockets.size).toBe(0);
	});

	it('refuses a viewer token on the bot namespace', async () => {
		const token = await fetchToken(h.url);
		const error = (await connectBot(h.url, { secret: token }).catch((e: unknown) => e)) as Error & { data?: ConnectErrorData };
		expect(error.data?.code).toBe('unauthorized');
	});

	it('accepts a fresh token from POST /api/token and answers get-cluster-status', async () => {
		const viewer = await connectViewer(h.url, await fetchToken(h.url));
		const status = await getStatus(viewer);
		expect(status).toMatchObject({ clusters: [], totalShards: 0, conflicts: [] });
	});

	it('ignores bot events sent by a viewer', async () => {
		const viewer = await connectViewer(h.url, await fetchToken(h.url));
		(viewer as unknown as { emit: (e: string, ...a: unknown[]) => void }).emit('heartbeat', { clusterId: 1 });
		await getStatus(viewer);
		expect(h.server.fleet.size).toBe(0);
	});
});

describe('token expiry on a live socket', () => {
	it('answers token_expired once the token ages out, and accepts a renewed one', async () => {
		let offset = 0;
		await h.close();
		h = await startServer({}, 0, () => Date.now() + offset);
		const viewer = await connectViewer(h.url, await fetchToken(h.url));
		expect((await viewer.timeout(5_000).emitWithAck('get-cluster-status', {})).ok).toBe(true);
		offset = 5 * 60_000 + 1_000;

		const expired = await viewer.timeout(5_000).emitWithAck('get-cluster-status', {});
		expect(expired).toMatchObject({ ok: false, error: { code: 'token_expired' } });

		const fresh = await fetchToken(h.url);
		const renewed = await viewer.timeout(5_000).emitWithAck('renew-token', fresh);
		expect(renewed).toMatchObject({ ok: true });
		expect((await viewer.timeout(5_000).emitWithAck('get-cluster-status', {})).ok).toBe(true);
	});

	it('refuses to renew with a forged token', async () => {
		const viewer = await connectViewer(h.url, await fetchToken(h.url));
		const renewed = await viewer.timeout(5_000).emitWithAck('renew-token', await sign('forged-forged-forged-forged-forged-0000'));
		expect(renewed).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
	});
});
