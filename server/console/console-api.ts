import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { CONSOLE_API, roleAllows, type AuditActor, type ConsoleLoginOptions, type ConsoleRole, type FleetStatus, type ViewerTokenResponse } from '#shared';
import { secretsEqual } from '../auth/secret.ts';
import { NewIncidentSchema, NewIncidentUpdateSchema, NewMaintenanceSchema, explain } from '../http/operator-schema.ts';
import { HttpError, error, readJson, send } from '../http/respond.ts';
import type { Logger } from '../log.ts';
import type { RateLimiter } from '../security/rate-limit.ts';
import type { Caller, ConsoleActions } from './console-actions.ts';
import { publicSession, type ConsoleRepository, type StoredSession } from './console-repository.ts';
import {
	AuditQuerySchema,
	EditIncidentUpdateSchema,
	IncidentPatchSchema,
	KeyLoginSchema,
	MaintenancePatchSchema,
	NewTemplateSchema,
	PostmortemSchema,
	TemplatePatchSchema
} from './console-schema.ts';
import { readCookie, setCookie } from './cookies.ts';
import { LOGIN_STATE_TTL_MS, sameState, type DiscordOAuth, type LoginStateCodec } from './discord-login.ts';
import type { OperatorGrant } from './operators.ts';
import { me, sessionActor, type Sessions } from './sessions.ts';
import type { SubscriberActions } from './subscriber-actions.ts';
import { SubscriberSearchSchema } from '../subscriptions/subscription-schema.ts';

export interface ConsoleApiSettings {
	/** `SHARDBEAT_OPERATOR_SECRET`: bearer automation, and the key login when `keyLogin`. */
	operatorSecret: string | undefined;
	keyLogin: boolean;
	/** Log in with Discord, when configured. */
	discord: DiscordOAuth | undefined;
	operators: readonly OperatorGrant[];
	/** The console's origins: the only ones a session may be used from. */
	origins: readonly string[];
	/** Where a login goes when the console named no redirect. */
	defaultRedirect: string;
	/** Cookies marked `Secure` (the server is reached over https). */
	secureCookies: boolean;
}

export interface ConsoleApiDeps {
	settings: ConsoleApiSettings;
	sessions: Sessions;
	/** The console's rows, once the history database is open. */
	repository: () => ConsoleRepository | undefined;
	actions: ConsoleActions;
	/** Counting, searching and removing subscribers. */
	subscribers: SubscriberActions;
	loginState: LoginStateCodec;
	limits: {
		clientIp: (req: IncomingMessage) => string;
		/** Every login request, per IP. */
		login?: RateLimiter;
		/** Failed key logins, per IP. */
		loginFailures?: RateLimiter;
	};
	/** A viewer token with operator scope, bound to the session when there is one. */
	liveToken: (sessionId: string | undefined) => Promise<ViewerTokenResponse>;
	/** The fleet at full detail. */
	fleet: () => FleetStatus;
	/** Disconnects the live sockets of a session that ended. */
	onSessionEnded: (sessionId: string) => void;
	now: () => number;
	logger: Logger;
}

/** Who is asking: a session (from the cookie) or the bearer operator API. */
type Principal = { kind: 'session'; session: StoredSession; role: ConsoleRole } | { kind: 'bearer'; role: 'owner' };

type Handler = (ctx: { req: IncomingMessage; url: URL; params: number[]; caller: Caller; principal: Principal; body: unknown }) => Promise<{ status: number; body?: unknown; headers?: Record<string, string> }>;

interface Route {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	/** Relative to `CONSOLE_API`; `(\d+)` groups are the numeric params, `([\w-]+)` a session id. */
	path: RegExp;
	role: ConsoleRole;
	/** The body's schema; absent: no body is read. */
	body?: z.ZodType<unknown>;
	handle: Handler;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ID = '([1-9]\\d{0,11})';
const re = (path: string) => new RegExp(`^${path.replace(/:id/g, ID)}$`);
const NINETY_DAYS = 90 * 86_400_000;

/**
 * The operator console's API (`/api/v1/console/…`, contract in `shared-types/console.ts`):
 * logins, sessions, and every operator action behind its role. Sessions come from an HttpOnly
 * cookie and must come from the console's origin with the session's CSRF token on anything that
 * changes state; `Authorization: Bearer <SHARDBEAT_OPERATOR_SECRET>` works too, as owner.
 */
export function createConsoleApi(deps: ConsoleApiDeps) {
	const { settings, sessions, actions } = deps;
	const origins = new Set(settings.origins);
	const cookieName = settings.secureCookies ? '__Host-shardbeat_session' : 'shardbeat_session';
	const loginCookie = settings.secureCookies ? '__Secure-shardbeat_login' : 'shardbeat_login';
	const callbackPath = `${CONSOLE_API}/login/discord`;
	const sessionCookie = (value: string, maxAgeS: number) => setCookie(cookieName, value, { path: '/', maxAge: maxAgeS, sameSite: 'Strict', secure: settings.secureCookies });
	const loginStateCookie = (value: string, maxAgeS: number) =>
		// Lax: the callback is a top-level navigation from Discord, which a Strict cookie would not follow.
		setCookie(loginCookie, value, { path: callbackPath, maxAge: maxAgeS, sameSite: 'Lax', secure: settings.secureCookies });
	const grants = new Map(settings.operators.map((o) => [o.discordId, o.role]));
	/** Key logins refused from an IP that used up its failures, until then (this instance's memory; the count itself is shared). */
	const blockedUntil = new Map<string, number>();

	const limited = async (limiter: RateLimiter | undefined, ip: string) => {
		if (!limiter) return;
		const decision = await limiter.take(ip);
		if (!decision.ok) throw Object.assign(new HttpError(429, 'rate_limited', `too many login attempts from this address; retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`), { retryAfterMs: decision.retryAfterMs });
	};

	/** The redirect a login may end at: an absolute http(s) URL on one of the console's origins, nothing else. */
	const safeRedirect = (given: string | null): string => {
		if (given === null) return settings.defaultRedirect;
		let url: URL;
		try {
			url = new URL(given);
		} catch {
			throw new HttpError(400, 'invalid_redirect', 'redirect must be an absolute URL on the console\'s origin, e.g. https://status.example.com/admin/');
		}
		if (given.length > 2_000 || url.username || url.password || !origins.has(url.origin)) {
			throw new HttpError(400, 'invalid_redirect', `redirect must be on the console's origin (${[...origins].join(', ')}); a login never sends the browser elsewhere`);
		}
		return url.href;
	};

	const withQuery = (href: string, key: string, value: string) => {
		const url = new URL(href);
		url.searchParams.set(key, value);
		return url.href;
	};

	const authenticate = async (req: IncomingMessage): Promise<Principal> => {
		const header = req.headers.authorization;
		if (header !== undefined) {
			// Credentials given are checked, never ignored in favour of a cookie.
			const given = header.startsWith('Bearer ') ? header.slice(7) : '';
			if (!settings.operatorSecret || !given || !secretsEqual(given, settings.operatorSecret)) {
				throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <SHARDBEAT_OPERATOR_SECRET>, or log in to the console (no Authorization header)');
			}
			return { kind: 'bearer', role: 'owner' };
		}
		if (!deps.repository()) throw new HttpError(503, 'history_unavailable', 'the history database (which keeps sessions) is not reachable yet; retry shortly');
		const check = await sessions.check(readCookie(req.headers.cookie, cookieName), deps.now());
		if (!check.ok) {
			const why = { no_session: 'you are not logged in', session_expired: 'your session expired', session_unknown: 'this session has ended (logged out or revoked)' }[check.code];
			throw new HttpError(401, check.code === 'session_expired' ? 'session_expired' : 'unauthorized', `${why}; log in to the console again`);
		}
		return { kind: 'session', session: check.session, role: check.session.role };
	};

	/** A cookie session changes state only from the console's origin, with its CSRF token. */
	const checkCsrf = (req: IncomingMessage, session: StoredSession) => {
		const origin = req.headers.origin;
		if (origin === undefined || !origins.has(origin)) {
			throw new HttpError(403, 'forbidden_origin', `requests that change something must come from the console (Origin ${[...origins].join(' or ')}); got ${origin === undefined ? 'no Origin' : JSON.stringify(origin.slice(0, 100))}`);
		}
		const token = req.headers['x-shardbeat-csrf'];
		if (typeof token !== 'string' || token === '') throw new HttpError(403, 'csrf_token_missing', 'send the session\'s csrfToken (from GET /api/v1/console/me) as X-Shardbeat-CSRF');
		if (!secretsEqual(token, session.csrfToken)) throw new HttpError(403, 'csrf_token_invalid', 'X-Shardbeat-CSRF does not match this session; fetch GET /api/v1/console/me again');
	};

	const actorOf = (p: Principal): AuditActor => (p.kind === 'bearer' ? { kind: 'bearer' } : sessionActor(p.session));
	const ended = async (caller: Caller, id: string, action: 'session.logout' | 'session.revoke') => {
		const repo = deps.repository();
		if (!repo || !(await repo.deleteSession(id))) return false;
		await actions.audit(caller, action, `session:${id}`);
		deps.onSessionEnded(id);
		return true;
	};

	const routes: Route[] = [
		{ method: 'GET', path: re('/me'), role: 'viewer', handle: async ({ principal }) => {
			if (principal.kind !== 'session') throw new HttpError(400, 'no_session', 'the operator API key has no session; /me is for console logins');
			return { status: 200, body: me(principal.session, sessions.policy) };
		} },
		{ method: 'POST', path: re('/logout'), role: 'viewer', handle: async ({ principal, caller }) => {
			if (principal.kind === 'session') await ended(caller, principal.session.id, 'session.logout');
			return { status: 204, headers: { 'Set-Cookie': sessionCookie('', 0) } };
		} },
		{ method: 'GET', path: re('/sessions'), role: 'owner', handle: async ({ principal }) => {
			const current = principal.kind === 'session' ? principal.session.id : undefined;
			const list = await deps.repository()!.liveSessions(deps.now(), sessions.policy.idleMs);
			return { status: 200, body: list.map((s) => publicSession(s, sessions.policy.idleMs, current)) };
		} },
		{ method: 'DELETE', path: /^\/sessions\/([A-Za-z0-9_-]{1,32})$/, role: 'owner', handle: async ({ url, caller }) => {
			const id = url.pathname.split('/').at(-1)!;
			if (!(await ended(caller, id, 'session.revoke'))) throw new HttpError(404, 'unknown_session', `there is no live session ${id}`);
			return { status: 204 };
		} },
		{ method: 'POST', path: re('/live-token'), role: 'viewer', handle: async ({ principal }) => ({
			status: 200,
			body: await deps.liveToken(principal.kind === 'session' ? principal.session.id : undefined)
		}) },
		{ method: 'GET', path: re('/fleet'), role: 'viewer', handle: async () => ({ status: 200, body: deps.fleet() }) },
		// ── incidents ──
		{ method: 'GET', path: re('/incidents'), role: 'viewer', handle: async () => ({ status: 200, body: await actions.incidents(deps.now() - NINETY_DAYS) }) },
		{ method: 'POST', path: re('/incidents'), role: 'editor', body: NewIncidentSchema, handle: async ({ caller, body }) => ({ status: 201, body: await actions.createIncident(caller, body as never) }) },
		{ method: 'POST', path: re('/incidents/:id/updates'), role: 'editor', body: NewIncidentUpdateSchema, handle: async ({ caller, params, body }) => ({
			status: 201,
			body: await actions.postUpdate(caller, params[0]!, body as never)
		}) },
		{ method: 'PATCH', path: re('/incidents/:id/updates/:id'), role: 'editor', body: EditIncidentUpdateSchema, handle: async ({ caller, params, body }) => ({
			status: 200,
			body: await actions.editUpdate(caller, params[0]!, params[1]!, body as never)
		}) },
		{ method: 'PUT', path: re('/incidents/:id/postmortem'), role: 'editor', body: PostmortemSchema, handle: async ({ caller, params, body }) => ({
			status: 200,
			body: await actions.postmortem(caller, params[0]!, (body as { message: string }).message)
		}) },
		{ method: 'PATCH', path: re('/incidents/:id'), role: 'editor', body: IncidentPatchSchema, handle: async ({ caller, params, body }) => ({
			status: 200,
			body: await actions.patchIncident(caller, params[0]!, body as never)
		}) },
		{ method: 'DELETE', path: re('/incidents/:id'), role: 'owner', handle: async ({ caller, params }) => {
			await actions.deleteIncident(caller, params[0]!);
			return { status: 204 };
		} },
		// ── templates ──
		{ method: 'GET', path: re('/templates'), role: 'viewer', handle: async () => ({ status: 200, body: await actions.templates() }) },
		{ method: 'POST', path: re('/templates'), role: 'editor', body: NewTemplateSchema, handle: async ({ caller, body }) => ({ status: 201, body: await actions.createTemplate(caller, body as never) }) },
		{ method: 'PATCH', path: re('/templates/:id'), role: 'editor', body: TemplatePatchSchema, handle: async ({ caller, params, body }) => ({
			status: 200,
			body: await actions.editTemplate(caller, params[0]!, body as never)
		}) },
		{ method: 'DELETE', path: re('/templates/:id'), role: 'editor', handle: async ({ caller, params }) => {
			await actions.deleteTemplate(caller, params[0]!);
			return { status: 204 };
		} },
		// ── maintenance ──
		{ method: 'GET', path: re('/maintenance'), role: 'viewer', handle: async () => ({ status: 200, body: await actions.maintenance() }) },
		{ method: 'POST', path: re('/maintenance'), role: 'editor', body: NewMaintenanceSchema, handle: async ({ caller, body }) => ({
			status: 201,
			body: await actions.scheduleMaintenance(caller, body as never)
		}) },
		{ method: 'PATCH', path: re('/maintenance/:id'), role: 'editor', body: MaintenancePatchSchema, handle: async ({ caller, params, body }) => ({
			status: 200,
			body: await actions.editMaintenance(caller, params[0]!, body as never)
		}) },
		{ method: 'POST', path: re('/maintenance/:id/end'), role: 'editor', handle: async ({ caller, params }) => ({ status: 200, body: await actions.endMaintenance(caller, params[0]!) }) },
		{ method: 'DELETE', path: re('/maintenance/:id'), role: 'editor', handle: async ({ caller, params }) => {
			await actions.cancelMaintenance(caller, params[0]!, 'upcoming');
			return { status: 204 };
		} },
		// ── fleet and audit ──
		{ method: 'DELETE', path: /^\/clusters\/(\d{1,7})$/, role: 'owner', handle: async ({ caller, params }) => ({ status: 200, body: await actions.retireCluster(caller, params[0]!) }) },
		{ method: 'GET', path: re('/audit'), role: 'owner', handle: async ({ url }) => {
			const parsed = AuditQuerySchema.safeParse(Object.fromEntries(url.searchParams));
			if (!parsed.success) throw new HttpError(400, 'invalid_query', explain(parsed.error));
			return { status: 200, body: await deps.repository()!.auditPage(parsed.data.before, parsed.data.limit) };
		} },
		// ── subscribers (the search is in the body: an address never rides in a URL) ──
		{ method: 'GET', path: re('/subscribers/counts'), role: 'viewer', handle: async () => ({ status: 200, body: await deps.subscribers.counts() }) },
		{ method: 'POST', path: re('/subscribers/search'), role: 'editor', body: SubscriberSearchSchema, handle: async ({ caller, body }) => ({ status: 200, body: await deps.subscribers.search(caller, body as never) }) },
		{ method: 'DELETE', path: /^\/subscribers\/([1-9]\d{0,14})$/, role: 'owner', handle: async ({ caller, params }) => {
			await deps.subscribers.remove(caller, params[0]!);
			return { status: 204 };
		} }
	];

	// ── logins ──

	const loginOptions = (): ConsoleLoginOptions => ({ discord: settings.discord !== undefined, key: settings.keyLogin && settings.operatorSecret !== undefined });

	const refusedLogin = (ip: string, reason: string, who: { discordId: string | null; name: string | null } = { discordId: null, name: null }) =>
		actions.audit({ actor: { kind: 'anonymous', ...who }, ip }, 'session.login_refused', null, { reason }).catch(() => {});

	const startDiscord = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
		if (!settings.discord) throw new HttpError(404, 'discord_login_disabled', 'Log in with Discord is not configured; set SHARDBEAT_DISCORD_CLIENT_ID and SHARDBEAT_DISCORD_CLIENT_SECRET');
		await limited(deps.limits.login, deps.limits.clientIp(req));
		const redirect = safeRedirect(url.searchParams.get('redirect'));
		const { state, verifier, url: authorize } = settings.discord.begin();
		const sealed = deps.loginState.seal({ state, verifier, redirect, expiresAt: deps.now() + LOGIN_STATE_TTL_MS });
		res.writeHead(302, { Location: authorize.href, 'Set-Cookie': loginStateCookie(sealed, LOGIN_STATE_TTL_MS / 1000), 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
		res.end();
	};

	const finishDiscord = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
		if (!settings.discord) throw new HttpError(404, 'discord_login_disabled', 'Log in with Discord is not configured; set SHARDBEAT_DISCORD_CLIENT_ID and SHARDBEAT_DISCORD_CLIENT_SECRET');
		const ip = deps.limits.clientIp(req);
		const clear = loginStateCookie('', 0);
		const opened = deps.loginState.open(readCookie(req.headers.cookie, loginCookie), deps.now());
		if (!opened.ok) {
			await refusedLogin(ip, opened.code);
			// Without the cookie nothing says where the browser came from: no redirect to guess.
			return send(res, 400, error(opened.code, opened.code === 'login_expired' ? 'the login took too long or began in another browser; start it again from the console' : 'this login was not started here; start it again from the console'), {
				'Set-Cookie': clear,
				'Cache-Control': 'no-store'
			});
		}
		const back = (headers: Record<string, string>, location: string) => {
			res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', ...headers });
			res.end();
		};
		const fail = async (code: string, reason: string, who?: { discordId: string | null; name: string | null }) => {
			// A flood that is being refused anyway is not written down attempt by attempt.
			if (code !== 'rate_limited') await refusedLogin(ip, reason, who);
			back({ 'Set-Cookie': clear }, withQuery(opened.state.redirect, 'login_error', code));
		};
		try {
			await limited(deps.limits.login, ip);
		} catch {
			return fail('rate_limited', 'rate limited');
		}
		const state = url.searchParams.get('state') ?? '';
		if (!sameState(state, opened.state.state)) return fail('state_mismatch', 'state mismatch');
		if (url.searchParams.has('error')) return fail('access_denied', `discord: ${(url.searchParams.get('error') ?? '').slice(0, 60)}`);
		const code = url.searchParams.get('code') ?? '';
		if (code === '' || code.length > 512) return fail('discord_refused', 'no code');
		if (!deps.repository()) return fail('discord_unavailable', 'history database unavailable');
		const result = await settings.discord.user(code, opened.state.verifier);
		if (!result.ok) {
			deps.logger.warn({ code: result.code, reason: result.reason }, 'discord login failed');
			return fail(result.code, result.reason);
		}
		const role = grants.get(result.user.discordId);
		if (!role) return fail('not_an_operator', 'not listed in SHARDBEAT_OPERATORS', { discordId: result.user.discordId, name: result.user.name });
		const { token, session } = await sessions.open(result.user, role, 'discord', { ip, userAgent: String(req.headers['user-agent'] ?? '') }, deps.now());
		await actions.audit({ actor: sessionActor(session), ip }, 'session.login', `session:${session.id}`, { method: 'discord' });
		deps.logger.info({ session: session.id, discordId: session.discordId, role }, 'console login');
		// Two Set-Cookie headers: the session in, the login state out.
		res.writeHead(302, { Location: opened.state.redirect, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Set-Cookie': [sessionCookie(token, Math.floor(sessions.policy.ttlMs / 1000)), clear] });
		res.end();
	};

	const keyLogin = async (req: IncomingMessage, res: ServerResponse, headers: Record<string, string>) => {
		const origin = req.headers.origin;
		if (origin === undefined || !origins.has(origin)) {
			req.resume();
			throw new HttpError(403, 'forbidden_origin', 'log in from the console page; automation sends Authorization: Bearer <SHARDBEAT_OPERATOR_SECRET> instead of logging in');
		}
		if (!settings.keyLogin || !settings.operatorSecret) {
			req.resume();
			throw new HttpError(403, 'key_login_disabled', 'logging in with the operator key is off on this server (SHARDBEAT_CONSOLE_KEY_LOGIN=0); log in with Discord');
		}
		const ip = deps.limits.clientIp(req);
		await limited(deps.limits.login, ip);
		if ((blockedUntil.get(ip) ?? 0) > deps.now()) {
			req.resume();
			const retryS = Math.ceil(((blockedUntil.get(ip) ?? 0) - deps.now()) / 1000);
			throw new HttpError(429, 'rate_limited', `too many wrong keys from this address; retry in ${retryS} s`);
		}
		const parsed = KeyLoginSchema.safeParse(await readJson(req, 4_096));
		if (!parsed.success) throw new HttpError(400, 'invalid_body', explain(parsed.error));
		if (!deps.repository()) throw new HttpError(503, 'history_unavailable', 'the history database (which keeps sessions) is not reachable yet; retry shortly');
		if (!secretsEqual(parsed.data.key, settings.operatorSecret)) {
			await refusedLogin(ip, 'wrong key');
			const decision = deps.limits.loginFailures ? await deps.limits.loginFailures.take(ip) : ({ ok: true } as const);
			if (!decision.ok) {
				blockedUntil.set(ip, deps.now() + decision.retryAfterMs);
				if (blockedUntil.size > 10_000) blockedUntil.delete(blockedUntil.keys().next().value!);
				throw new HttpError(429, 'rate_limited', `too many wrong keys from this address; retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`);
			}
			throw new HttpError(401, 'wrong_key', 'that is not the operator key (SHARDBEAT_OPERATOR_SECRET)');
		}
		const { token, session } = await sessions.open({ discordId: null, name: 'Operator key', avatarUrl: null }, 'owner', 'key', { ip, userAgent: String(req.headers['user-agent'] ?? '') }, deps.now());
		await actions.audit({ actor: sessionActor(session), ip }, 'session.login', `session:${session.id}`, { method: 'key' });
		deps.logger.info({ session: session.id, method: 'key' }, 'console login');
		send(res, 200, me(session, sessions.policy), { ...headers, 'Set-Cookie': sessionCookie(token, Math.floor(sessions.policy.ttlMs / 1000)) });
	};

	const handle = async (req: IncomingMessage, res: ServerResponse, url: URL, headers: Record<string, string>): Promise<void> => {
		const method = req.method ?? 'GET';
		const path = url.pathname.slice(CONSOLE_API.length);
		if (path === '/login' && method === 'GET') return send(res, 200, loginOptions(), headers);
		if (path === '/login/discord' && method === 'GET') return startDiscord(req, res, url);
		if (path === '/login/discord/callback' && method === 'GET') return finishDiscord(req, res, url);
		if (path === '/login/key' && method === 'POST') return keyLogin(req, res, headers);

		const candidates = routes.filter((r) => r.path.test(path));
		const route = candidates.find((r) => r.method === method);
		if (!route) {
			req.resume();
			if (candidates.length > 0) throw new HttpError(405, 'method_not_allowed', `${method} is not supported on ${url.pathname}; use ${candidates.map((r) => r.method).join(' or ')}`);
			throw new HttpError(404, 'not_found', `no console route ${method} ${url.pathname.slice(0, 100)}; see shared-types/console.ts`);
		}
		let principal: Principal;
		try {
			principal = await authenticate(req);
			if (principal.kind === 'session' && UNSAFE.has(method)) checkCsrf(req, principal.session);
			if (!roleAllows(principal.role, route.role)) throw new HttpError(403, 'forbidden_role', `this needs the ${route.role} role; you are ${principal.role === 'viewer' ? 'a viewer' : `an ${principal.role}`}`);
		} catch (err) {
			req.resume();
			throw err;
		}
		let body: unknown;
		if (route.body) {
			const parsed = route.body.safeParse(await readJson(req));
			if (!parsed.success) throw new HttpError(400, 'invalid_body', explain(parsed.error));
			body = parsed.data;
		} else req.resume();
		const params = (route.path.exec(path) ?? []).slice(1).map(Number);
		const caller: Caller = { actor: actorOf(principal), ip: deps.limits.clientIp(req) };
		const answer = await route.handle({ req, url, params, caller, principal, body });
		const all = { ...headers, ...answer.headers };
		if (answer.status === 204) {
			res.writeHead(204, all).end();
			return;
		}
		send(res, answer.status, answer.body, all);
	};

	/** The route: false when the path is not the console's. Answers its own errors, with CORS headers, so the console can read them. */
	return async (req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>): Promise<boolean> => {
		if (url.pathname !== CONSOLE_API && !url.pathname.startsWith(`${CONSOLE_API}/`)) return false;
		const origin = req.headers.origin;
		const headers: Record<string, string> = { ...cors, 'Cache-Control': 'no-store' };
		// Credentials are shared with the console's origin only; other page origins may not even ask.
		if (origin !== undefined && origins.has(origin)) headers['Access-Control-Allow-Credentials'] = 'true';
		try {
			if (origin !== undefined && !origins.has(origin)) {
				req.resume();
				throw new HttpError(403, 'forbidden_origin', `the console API answers only the console's origin (${[...origins].join(', ')})`);
			}
			await handle(req, res, url, headers);
		} catch (err) {
			if (res.headersSent) {
				deps.logger.error({ err, path: url.pathname }, 'console request failed after answering began');
				res.destroy();
				return true;
			}
			if (err instanceof HttpError) {
				const retry = (err as { retryAfterMs?: number }).retryAfterMs;
				const extra: Record<string, string> = err.status === 503 ? { 'Retry-After': '5' } : retry ? { 'Retry-After': String(Math.max(1, Math.ceil(retry / 1000))) } : {};
				send(res, err.status, error(err.code, err.message), { ...headers, ...extra });
				return true;
			}
			// Past validation, what fails is the database: a 503 with a retry hint, logged.
			deps.logger.warn({ err: (err as Error).message, path: url.pathname }, 'console query failed');
			send(res, 503, error('history_unavailable', 'the history database did not answer; retry shortly'), { ...headers, 'Retry-After': '5' });
		}
		return true;
	};
}
