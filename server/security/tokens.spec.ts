import { SignJWT } from 'jose';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectErrorData } from '#shared';
import { secretsEqual } from '../auth/secret.ts';
import { DEV_OPERATOR_SECRET } from '../config.ts';
import { BOT_SECRET, TOKEN_SECRET, connectBot, connectViewer, fetchToken, getStatus, heartbeat, sendHeartbeat, startServer, type Harness, type ViewerSocket } from '#testing/server/harness';

/*
 * Every credential opens exactly one door. One server for the whole file, so its logs cover every
 * refusal below; the last test reads them all for any secret or token.
 */
const OPERATOR_SECRET = 'operator-secret-for-tokens-spec-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-for-tokens-spec-0123';
let h: Harness;
/** Every token the server handed out during the file: none may appear in a log line. */
const minted: string[] = [];

beforeAll(async () => {
	h = await startServer({
		operatorSecret: OPERATOR_SECRET,
		// Never called (no incident opens): configured so its secret is in the server's hands.
		webhookUrl: 'http://127.0.0.1:9/never',
		webhookSecret: WEBHOOK_SECRET
	});
});
afterAll(() => h.close());

async function token(): Promise<string> {
	const t = await fetchToken(h.url);
	minted.push(t);
	return t;
}

async function sign(secret: string, claims: { aud?: string; exp?: number; scope?: string } = {}) {
	const now = Math.floor(Date.now() / 1000);
	return new SignJWT(claims.scope ? { scope: claims.scope } : {})
		.setProtectedHeader({ alg: 'HS256' })
		.setIssuer('shardbeat')
		.setAudience(claims.aud ?? 'shardbeat:viewer')
		.setIssuedAt(now)
		.setExpirationTime(claims.exp ?? now + 300)
		.sign(new TextEncoder().encode(secret));
}

async function viewerRefusal(t: string | undefined): Promise<ConnectErrorData['code'] | undefined> {
	const error = (await connectViewer(h.url, t).then(
		(s) => {
			s.disconnect();
			return new Error('connected');
		},
		(e: unknown) => e
	)) as Error & { data?: ConnectErrorData };
	return error.data?.code;
}

async function botRefusal(secret: string): Promise<ConnectErrorData['code'] | undefined> {
	const error = (await connectBot(h.url, { secret }).then(
		(s) => {
			s.disconnect();
			return new Error('connected');
		},
		(e: unknown) => e
	)) as Error & { data?: ConnectErrorData };
	return error.data?.code;
}

describe('secretsEqual', () => {
	it('is true only for the same secret, whatever the lengths', () => {
		expect(secretsEqual(BOT_SECRET, BOT_SECRET)).toBe(true);
		expect(secretsEqual(BOT_SECRET, BOT_SECRET + 'x')).toBe(false);
		expect(secretsEqual('', BOT_SECRET)).toBe(false);
		expect(secretsEqual(BOT_SECRET.slice(0, -1) + 'X', BOT_SECRET)).toBe(false);
	});
});

describe('viewer tokens', () => {
	const cases: [string, () => Promise<string>, 'unauthorized' | 'token_expired'][] = [
		['a forged signature', () => sign('forged-forged-forged-forged-forged-forged-00'), 'unauthorized'],
		['a token for another audience', () => sign(TOKEN_SECRET, { aud: 'shardbeat:bot' }), 'unauthorized'],
		['an expired token', () => sign(TOKEN_SECRET, { exp: Math.floor(Date.now() / 1000) - 1 }), 'token_expired'],
		['a forged operator scope', () => sign('forged-forged-forged-forged-forged-forged-00', { scope: 'operator' }), 'unauthorized'],
		['the bot secret used as a viewer token', async () => BOT_SECRET, 'unauthorized'],
		['the operator secret used as a viewer token', async () => OPERATOR_SECRET, 'unauthorized'],
		['the development operator secret used as a viewer token', async () => DEV_OPERATOR_SECRET, 'unauthorized']
	];
	it.each(cases)('refuses %s at the /viewer handshake', async (_, make, code) => {
		expect(await viewerRefusal(await make())).toBe(code);
		expect(h.server.io.of('/viewer').sockets.size).toBe(0);
	});

	it('refuses a token sent in the URL instead of the handshake body', async () => {
		const t = await token();
		// Query strings end up in proxy and access logs: the server only reads `auth`.
		const socket = io(`${h.url}/viewer`, { query: { token: t }, transports: ['websocket'], reconnection: false });
		const error = await new Promise<Error & { data?: ConnectErrorData }>((resolve) => socket.once('connect_error', resolve));
		socket.close();
		expect(error.data?.code).toBe('unauthorized');
	});

	it('refuses a viewer token, the operator secret and a signed token as the bot secret on /bot', async () => {
		expect(await botRefusal(await token())).toBe('unauthorized');
		expect(await botRefusal(OPERATOR_SECRET)).toBe('unauthorized');
		expect(await botRefusal(TOKEN_SECRET)).toBe('unauthorized');
		expect(h.server.io.of('/bot').sockets.size).toBe(0);
	});

	it.each<[string, () => Promise<string>]>([
		['a viewer token', () => token()],
		['the bot secret', async () => BOT_SECRET],
		['the token secret', async () => TOKEN_SECRET]
	])('refuses %s as the operator bearer on POST /api/token (401, no token)', async (_, make) => {
		const res = await fetch(`${h.url}/api/token`, { method: 'POST', headers: { authorization: `Bearer ${await make()}` } });
		expect(res.status).toBe(401);
		expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('SHARDBEAT_OPERATOR_SECRET') } });
	});

	it('mints an operator token for the operator secret, and it opens /viewer only', async () => {
		const res = await fetch(`${h.url}/api/token`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_SECRET}` } });
		expect(res.status).toBe(200);
		const { token: operatorToken } = (await res.json()) as { token: string };
		minted.push(operatorToken);
		const viewer = await connectViewer(h.url, operatorToken);
		expect((await getStatus(viewer)).clusters).toEqual([]);
		viewer.disconnect();
		expect(await botRefusal(operatorToken)).toBe('unauthorized');
		const operatorApi = await fetch(`${h.url}/api/v1/operator/maintenance/1`, { method: 'DELETE', headers: { authorization: `Bearer ${operatorToken}` } });
		expect(operatorApi.status).toBe(401);
	});
});

describe('viewers cannot act as bots or operators', () => {
	let bot: Awaited<ReturnType<typeof connectBot>>;
	let viewer: ViewerSocket;
	beforeAll(async () => {
		bot = await connectBot(h.url);
		expect((await sendHeartbeat(bot, heartbeat(1, [0, 1], 2))).ok).toBe(true);
		viewer = await connectViewer(h.url, await token());
	});

	const raw = () => viewer as unknown as { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> } };

	it.each([
		['heartbeat', [heartbeat(1, [0, 1], 2, { shards: [{ id: 0, state: 'disconnected', guilds: 0 }, { id: 1, state: 'disconnected', guilds: 0 }] })]],
		['heartbeat', [heartbeat(9, [0], 2)]],
		['create-incident', [{ title: 'fake outage' }]],
		['fleet-update', [{ kind: 'full', version: 1, at: 0, data: '' }]],
		['__proto__', [{}]]
	])('a viewer emitting %s is refused with unknown_event and the fleet is unchanged', async (event, args) => {
		const before = await getStatus(viewer);
		const version = h.server.feed.version;
		const ack = await raw().timeout(5_000).emitWithAck(event, ...args);
		expect(ack).toMatchObject({ ok: false, error: { code: 'unknown_event' } });
		const after = await getStatus(viewer);
		expect(h.server.feed.version).toBe(version);
		expect(h.server.fleet.size).toBe(1);
		expect({ ...after, generatedAt: 0 }).toEqual({ ...before, generatedAt: 0 });
		expect(viewer.connected).toBe(true);
	});
});

describe('logs', () => {
	it('never contain a secret or a token, after all the refusals above', async () => {
		expect(minted.length).toBeGreaterThan(3);
		expect(h.logs.some((l) => l.msg === 'bot refused: wrong secret')).toBe(true);
		const text = h.logs.map((l) => JSON.stringify(l)).join('\n');
		for (const secret of [BOT_SECRET, TOKEN_SECRET, OPERATOR_SECRET, WEBHOOK_SECRET, DEV_OPERATOR_SECRET, ...minted]) {
			expect(text).not.toContain(secret);
			// A token's signature alone would be enough to leak it.
			if (secret.split('.').length === 3) expect(text).not.toContain(secret.split('.')[2]);
		}
	});
});
