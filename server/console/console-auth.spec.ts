import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { AuditPage, ConsoleSession } from '#shared';
import { historyDatabases } from '#testing/databases';
import { ConsoleClient, setCookies } from '#testing/console/client';
import { CONSOLE_PAGE, consoleConfig, DISCORD_APP, EDITOR, OPERATOR_KEY, OWNER, STRANGER } from '#testing/console/fixture';
import { startDiscordOAuth, type DiscordOAuthStandIn } from '#testing/discord/oauth';
import { eventually, startServer, type Harness } from '#testing/server/harness';
import type { ServerConfig } from '../config.ts';

/*
 * Who gets into the console, on real parts: the server on loopback with its history (and so its
 * sessions) in an SQLite file and then in PostgreSQL, the stand-in Discord OAuth2 speaking the
 * real protocol, every redirect followed by hand. Each test tries to get in where it must not.
 */

const PAGE = CONSOLE_PAGE;
const CLIENT_ID = DISCORD_APP.clientId;
const CLIENT_SECRET = DISCORD_APP.clientSecret;
const IDLE_MS = 10 * 60_000;
const TTL_MS = 60 * 60_000;

let discord: DiscordOAuthStandIn;
let h: Harness | undefined;
beforeAll(async () => {
	discord = await startDiscordOAuth({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: () => (h ? [`${h.url}/api/v1/console/login/discord/callback`] : []) });
});
afterAll(() => discord.close());

describe.each(historyDatabases)('console logins and sessions on $name', (target) => {
	let cleanup: (() => Promise<void>) | undefined;
	/** The server's clock runs this far ahead of the real one (sessions expire by it). */
	let ahead = 0;
	afterEach(async () => {
		await h?.close();
		h = undefined;
		ahead = 0;
		await cleanup?.();
	});

	async function start(overrides: Partial<ServerConfig> = {}) {
		const place = await target.open();
		cleanup = place.cleanup;
		h = await startServer(
			{
				database: place.location,
				...consoleConfig(discord.baseUrl),
				consoleIdleTimeoutMs: IDLE_MS,
				consoleSessionTtlMs: TTL_MS,
				...overrides
			},
			0,
			() => Date.now() + ahead
		);
		await h.server.history.whenReady();
		return h;
	}
	const client = () => new ConsoleClient(h!.url, PAGE);
	const owner = async () => {
		const c = client();
		expect((await c.loginWithKey(OPERATOR_KEY)).status).toBe(200);
		return c;
	};
	const audit = async () => (await (await owner()).ok<AuditPage>('GET', '/audit?limit=200')).entries;

	it('logs a listed Discord user in through the real redirects: PKCE S256, state, an HttpOnly SameSite cookie, the role from SHARDBEAT_OPERATORS', async () => {
		await start();
		const c = client();
		const hops = await c.loginWithDiscord(discord, EDITOR, { redirect: `${PAGE}/de/admin/?tab=incidents` });
		// To Discord: PKCE S256 and a state, the login cookie HttpOnly, scoped to the callback, Lax (it must survive Discord's redirect back).
		const authorize = new URL(hops.start.headers.get('location')!);
		expect(authorize.origin + authorize.pathname).toBe(`${discord.url}/api/oauth2/authorize`);
		expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
		expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
		expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
		expect(authorize.searchParams.get('scope')).toBe('identify');
		expect(setCookies(hops.start)[0]).toMatchObject({ name: 'shardbeat_login', attributes: expect.stringMatching(/Path=\/api\/v1\/console\/login\/discord; Max-Age=600; HttpOnly; SameSite=Lax/) });
		// Back at the console, where it asked to go, with a session cookie no script can read.
		expect(hops.callback!.status).toBe(302);
		expect(hops.landed!.href).toBe(`${PAGE}/de/admin/?tab=incidents`);
		const session = setCookies(hops.callback!).find((x) => x.name === 'shardbeat_session')!;
		expect(session.attributes).toMatch(/^Path=\/; Max-Age=3600; HttpOnly; SameSite=Strict$/);
		expect(setCookies(hops.callback!).find((x) => x.name === 'shardbeat_login')!.attributes).toContain('Max-Age=0');
		expect(c.me).toMatchObject({ role: 'editor', method: 'discord', user: { discordId: EDITOR.id, name: 'ed', avatarUrl: `https://cdn.discordapp.com/avatars/${EDITOR.id}/${EDITOR.avatar}.png?size=64` } });
		// The token is in no URL and no log line; the database holds only its hash.
		for (const hop of [hops.start, hops.authorize!, hops.callback!]) expect(hop.headers.get('location') ?? '').not.toContain(session.value);
		expect(JSON.stringify(h!.logs)).not.toContain(session.value);
		const rows = await h!.server.history.db.selectFrom('console_sessions').selectAll().execute();
		expect(JSON.stringify(rows)).not.toContain(session.value);
		expect((await audit()).find((e) => e.action === 'session.login' && e.detail.method === 'discord')).toMatchObject({ actor: { kind: 'session', discordId: EDITOR.id, role: 'editor', method: 'discord' }, detail: { method: 'discord' } });
	});

	it('refuses an unlisted Discord user: back to the console with login_error, no session, the attempt audited', async () => {
		await start();
		const c = client();
		const hops = await c.loginWithDiscord(discord, STRANGER);
		expect(hops.landed!.searchParams.get('login_error')).toBe('not_an_operator');
		expect(hops.landed!.origin).toBe(PAGE);
		expect(c.jar.has('shardbeat_session')).toBe(false);
		expect((await c.request('GET', '/me')).status).toBe(401);
		expect((await audit()).find((e) => e.action === 'session.login_refused')).toMatchObject({ actor: { kind: 'anonymous', discordId: STRANGER.id, name: 'Mallory' }, detail: { reason: 'not listed in SHARDBEAT_OPERATORS' } });
	});

	it('refuses a callback whose state is not the one this browser started with, before redeeming the code', async () => {
		await start();
		const before = discord.tokenRequests.length;
		const c = client();
		const hops = await c.loginWithDiscord(discord, OWNER, {
			tamper: (url) => {
				url.searchParams.set('state', 'attacker-state-xxxxxxxxxxxxxxxx');
				return url;
			}
		});
		expect(hops.landed!.searchParams.get('login_error')).toBe('state_mismatch');
		expect(discord.tokenRequests.length).toBe(before);
		expect(c.jar.has('shardbeat_session')).toBe(false);
	});

	it('refuses a callback without the login cookie, or with a forged one, without redirecting anywhere', async () => {
		await start();
		const c = client();
		const hops = await c.loginWithDiscord(discord, OWNER, { redirect: `${PAGE}/admin/` });
		expect(hops.callback!.status).toBe(302);
		// The same callback from a browser that never started this login (a login CSRF: the attacker's code in the victim's browser).
		const fresh = await fetch(hops.callbackUrl!, { redirect: 'manual' });
		expect(fresh.status).toBe(400);
		expect(fresh.headers.get('location')).toBeNull();
		expect(((await fresh.json()) as { error: { code: string } }).error.code).toBe('login_expired');
		// A login cookie whose contents were changed (say, to send the browser elsewhere) fails its signature.
		const other = client();
		const start2 = await fetch(`${h!.url}/api/v1/console/login/discord`, { redirect: 'manual' });
		const sealed = setCookies(start2)[0]!.value;
		const [payload, mac] = sealed.split('.');
		const evil = Buffer.from(JSON.stringify([...JSON.parse(Buffer.from(payload!, 'base64url').toString()).slice(0, 2), 'https://evil.example/', Date.now() + 60_000])).toString('base64url');
		const forged = await fetch(hops.callbackUrl!, { redirect: 'manual', headers: { Cookie: `shardbeat_login=${evil}.${mac}` } });
		expect(forged.status).toBe(400);
		expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('state_mismatch');
		expect(other.jar.size).toBe(0);
	});

	it('refuses a stolen code redeemed in another login (PKCE: the verifier is not the one it was issued for)', async () => {
		await start();
		// The victim's code, intercepted on its way back.
		const victim = client();
		const victimStart = await fetch(`${h!.url}/api/v1/console/login/discord`, { redirect: 'manual' });
		victim.keep(victimStart);
		discord.user = OWNER;
		const stolen = new URL((await fetch(victimStart.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!);
		// The attacker's own login: its state and cookie are valid, its verifier is not the victim's.
		const attacker = client();
		const attackerStart = await fetch(`${h!.url}/api/v1/console/login/discord`, { redirect: 'manual' });
		attacker.keep(attackerStart);
		const attackerState = new URL(attackerStart.headers.get('location')!).searchParams.get('state')!;
		const injected = new URL(stolen);
		injected.searchParams.set('state', attackerState);
		const res = await fetch(injected, { redirect: 'manual', headers: { Cookie: attacker.cookie } });
		expect(new URL(res.headers.get('location')!).searchParams.get('login_error')).toBe('discord_refused');
		expect(discord.tokenRequests.at(-1)).toMatchObject({ outcome: 'invalid_grant', description: 'Invalid "code_verifier"' });
		expect(setCookies(res).some((x) => x.name === 'shardbeat_session' && x.value !== '')).toBe(false);
	});

	it('refuses a replayed callback (the code is single-use), even with the login cookie that came with it', async () => {
		await start();
		const c = client();
		const start1 = await fetch(`${h!.url}/api/v1/console/login/discord`, { redirect: 'manual' });
		c.keep(start1);
		const loginCookie = c.cookie;
		discord.user = OWNER;
		const callback = (await fetch(start1.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!;
		const first = await fetch(callback, { redirect: 'manual', headers: { Cookie: loginCookie } });
		expect(new URL(first.headers.get('location')!).searchParams.has('login_error')).toBe(false);
		const replay = await fetch(callback, { redirect: 'manual', headers: { Cookie: loginCookie } });
		expect(new URL(replay.headers.get('location')!).searchParams.get('login_error')).toBe('discord_refused');
		expect(setCookies(replay).some((x) => x.name === 'shardbeat_session' && x.value !== '')).toBe(false);
	});

	it('goes back to the console with access_denied when the user cancels at Discord', async () => {
		await start();
		const hops = await client().loginWithDiscord(discord, null);
		expect(hops.landed!.searchParams.get('login_error')).toBe('access_denied');
	});

	it.each([
		['another site', 'https://evil.example/admin/'],
		['a protocol-relative URL', '//evil.example/admin/'],
		['a path (relative)', '/admin/'],
		['credentials before the host', `http://page.test@evil.example/admin/`],
		['a look-alike host', 'http://page.test.evil.example/admin/'],
		['another port', 'http://page.test:8080/admin/'],
		['https instead of http', 'https://page.test/admin/'],
		['javascript:', 'javascript:alert(document.cookie)'],
		['a data: URL', 'data:text/html,<script>alert(1)</script>'],
		['backslashes', 'http:\\\\evil.example\\admin'],
		['user info on the right host', 'http://user:pass@page.test/admin/']
	])('refuses to redirect a login to %s', async (_, redirect) => {
		await start();
		const res = await fetch(`${h!.url}/api/v1/console/login/discord?redirect=${encodeURIComponent(redirect)}`, { redirect: 'manual' });
		expect(res.status).toBe(400);
		expect(res.headers.get('location')).toBeNull();
		expect(res.headers.getSetCookie()).toEqual([]);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_redirect');
	});

	it('logs in with the operator key as owner; refuses a wrong key, a login from no or another origin, and the key login when it is off', async () => {
		await start();
		const c = client();
		expect((await c.loginWithKey('not-the-operator-key-000000')).status).toBe(401);
		expect((await c.request('POST', '/login/key', { key: OPERATOR_KEY }, { origin: null })).status).toBe(403);
		expect((await c.request('POST', '/login/key', { key: OPERATOR_KEY }, { origin: 'http://evil.test' })).status).toBe(403);
		expect((await c.request('POST', '/login/key', { key: OPERATOR_KEY, extra: 1 })).status).toBe(400);
		expect(c.jar.size).toBe(0);
		const res = await c.loginWithKey(OPERATOR_KEY);
		expect(res.status).toBe(200);
		expect(res.headers.get('access-control-allow-credentials')).toBe('true');
		expect(c.me).toMatchObject({ role: 'owner', method: 'key', user: { discordId: null } });
		expect(JSON.stringify(h!.logs)).not.toContain(c.jar.get('shardbeat_session')!);
		await h!.close();
		await cleanup?.();
		await start({ consoleKeyLogin: false });
		const off = await client().loginWithKey(OPERATOR_KEY);
		expect(off.status).toBe(403);
		expect(((await off.json()) as { error: { code: string } }).error.code).toBe('key_login_disabled');
		expect(await (await fetch(`${h!.url}/api/v1/console/login`)).json()).toEqual({ discord: true, key: false });
	});

	it('marks its cookies Secure, the session one __Host- prefixed, when the server is reached over https', async () => {
		await start({ serverUrl: 'https://api.status.example' });
		const res = await client().loginWithKey(OPERATOR_KEY);
		expect(setCookies(res)[0]).toMatchObject({ name: '__Host-shardbeat_session', attributes: 'Path=/; Max-Age=3600; HttpOnly; SameSite=Strict; Secure' });
		const login = await fetch(`${h!.url}/api/v1/console/login/discord`, { redirect: 'manual' });
		expect(setCookies(login)[0]).toMatchObject({ name: '__Secure-shardbeat_login', attributes: expect.stringContaining('; Secure') });
		expect(new URL(login.headers.get('location')!).searchParams.get('redirect_uri')).toBe('https://api.status.example/api/v1/console/login/discord/callback');
	});

	it('refuses forged session cookies', async () => {
		await start();
		const real = await owner();
		const token = real.jar.get('shardbeat_session')!;
		for (const cookie of [`shardbeat_session=${'A'.repeat(43)}`, `shardbeat_session=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'shardbeat_session=', `shardbeat_session=${token}; x=1`.replace('shardbeat_session', 'shardbeat_sessionX')]) {
			const res = await real.request('GET', '/me', undefined, { cookie });
			expect(res.status, cookie).toBe(401);
		}
	});

	it('ends a session after its idle time, and after its absolute lifetime however busy (on the server clock)', async () => {
		await start();
		const idle = await owner();
		ahead = IDLE_MS - 1_000;
		expect((await idle.request('GET', '/me')).status).toBe(200);
		ahead += IDLE_MS - 1_000;
		expect((await idle.request('GET', '/me')).status).toBe(200); // used in time: still on
		ahead += IDLE_MS;
		const expired = await idle.request('GET', '/me');
		expect(expired.status).toBe(401);
		expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('session_expired');

		ahead = 0;
		const busy = await owner();
		for (let t = 0; t < TTL_MS; t += IDLE_MS / 2) {
			ahead = t;
			expect((await busy.request('GET', '/me')).status).toBe(200);
		}
		ahead = TTL_MS;
		expect((await busy.request('GET', '/me')).status).toBe(401);
	});

	it('ends a session at once on logout and on revocation, its live sockets too; only an owner revokes', async () => {
		await start();
		const boss = await owner();
		const ed = client();
		await ed.loginWithDiscord(discord, EDITOR);
		expect(ed.me?.role).toBe('editor');
		// The editor's live view: a socket opened with a token minted for the session.
		const { token } = await ed.ok<{ token: string }>('POST', '/live-token');
		const socket = io(`${h!.url}/viewer`, { auth: { token }, transports: ['websocket'], reconnection: false, extraHeaders: { Origin: PAGE } });
		await new Promise<void>((resolve, reject) => (socket.once('connect', resolve), socket.once('connect_error', reject)));
		// An editor may not list or revoke sessions.
		expect((await ed.request('GET', '/sessions')).status).toBe(403);
		expect((await ed.request('DELETE', `/sessions/${boss.me!.sessionId}`)).status).toBe(403);
		const sessions = await boss.ok<ConsoleSession[]>('GET', '/sessions');
		expect(sessions.map((s) => [s.role, s.current]).sort()).toEqual([['editor', false], ['owner', true]]);
		await boss.ok('DELETE', `/sessions/${ed.me!.sessionId}`);
		expect((await ed.request('GET', '/me')).status).toBe(401);
		await eventually(() => !socket.connected);
		// And a token it had minted no longer opens a socket.
		const again = io(`${h!.url}/viewer`, { auth: { token }, transports: ['websocket'], reconnection: false });
		const refused = await new Promise<string>((resolve) => (again.once('connect', () => resolve('connected')), again.once('connect_error', (e) => resolve(e.message))));
		again.disconnect();
		expect(refused).toContain('session this token was made for has ended');

		const res = await boss.request('POST', '/logout');
		expect(res.status).toBe(204);
		expect(boss.jar.has('shardbeat_session')).toBe(false);
		expect((await boss.request('GET', '/me', undefined, { cookie: `shardbeat_session=${setCookies(res)[0]!.value || 'gone'}` })).status).toBe(401);
		const actions = (await audit()).map((e) => e.action);
		expect(actions).toEqual(expect.arrayContaining(['session.revoke', 'session.logout']));
	});

	it('refuses a stolen cookie used from another origin, and cookie requests that change state without the console origin or CSRF token; nothing changes', async () => {
		await start();
		const c = await owner();
		const body = { title: 'Forged', message: 'Forged by another site' };
		const cases: [string, Parameters<ConsoleClient['request']>[3], number, string][] = [
			['another site', { origin: 'http://evil.test' }, 403, 'forbidden_origin'],
			['no Origin', { origin: null }, 403, 'forbidden_origin'],
			['no CSRF header', { csrf: null }, 403, 'csrf_token_missing'],
			['a wrong CSRF token', { csrf: 'x'.repeat(32) }, 403, 'csrf_token_invalid'],
			["another session's CSRF token", { csrf: (await owner()).csrf! }, 403, 'csrf_token_invalid']
		];
		for (const [name, options, status, code] of cases) {
			const res = await c.request('POST', '/incidents', body, options);
			expect([name, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([name, status, code]);
		}
		// Reading from another site is refused too, and never with credentials allowed.
		const read = await c.request('GET', '/me', undefined, { origin: 'http://evil.test' });
		expect(read.status).toBe(403);
		expect(read.headers.get('access-control-allow-credentials')).toBeNull();
		// A preflight from the console may send the cookie and the CSRF header; from elsewhere it is refused.
		const preflight = await fetch(`${h!.url}/api/v1/console/incidents`, { method: 'OPTIONS', headers: { Origin: PAGE, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-shardbeat-csrf' } });
		expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
		expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Shardbeat-CSRF');
		expect((await fetch(`${h!.url}/api/v1/console/incidents`, { method: 'OPTIONS', headers: { Origin: 'http://evil.test' } })).status).toBe(403);
		expect(await c.ok<unknown[]>('GET', '/incidents')).toEqual([]);
		expect((await c.request('POST', '/incidents', body)).status).toBe(201);
	});

	it('limits logins per address, and wrong keys per address until a right one is refused too', async () => {
		await start({ loginRatePerMin: 4, loginFailuresPerHour: 3 });
		const c = client();
		const codes: number[] = [];
		for (let i = 0; i < 4; i++) codes.push((await c.loginWithKey(`wrong-key-${i}-0000000000000`)).status);
		expect(codes).toEqual([401, 401, 401, 429]);
		expect((await c.loginWithKey(OPERATOR_KEY)).status).toBe(429);
		expect(c.jar.size).toBe(0);
		const res = await fetch(`${h!.url}/api/v1/console/login/discord`, { redirect: 'manual' });
		expect(res.status).toBe(429);
		expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
		const refused = (await h!.server.history.db.selectFrom('audit_log').select('action').execute()).map((r) => r.action);
		expect(refused).toEqual(['session.login_refused', 'session.login_refused', 'session.login_refused', 'session.login_refused']);
	});
});
