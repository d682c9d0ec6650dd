import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ArcticFetchError, CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client, OAuth2RequestError } from 'arctic';
import { z } from 'zod';
import type { ConsoleUser } from '#shared';

/*
 * Log in with Discord: OAuth2's authorization code flow with PKCE (S256) and `state`, through
 * arctic's generic client, so the endpoints can point at a stand-in in tests. Between the start
 * and the callback, the state, the PKCE verifier and where to go afterwards ride in a cookie that
 * is HttpOnly, short-lived and signed: no server-side store, so any instance can finish a login
 * another began, and no one can choose the redirect by writing the cookie.
 */

/** What the login cookie carries from the start to the callback. */
export interface LoginState {
	state: string;
	verifier: string;
	/** Where the browser goes once logged in (checked against the console's origins at the start). */
	redirect: string;
	/** Unix ms after which the callback refuses it. */
	expiresAt: number;
}

/** How long a Discord login may take from start to callback. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Signs and reads the login cookie with a key derived from `secret` (the token secret). */
export class LoginStateCodec {
	readonly #key: Buffer;
	constructor(secret: string) {
		this.#key = createHash('sha256').update('shardbeat console login state\0').update(secret).digest();
	}

	seal(state: LoginState): string {
		const payload = b64(JSON.stringify([state.state, state.verifier, state.redirect, state.expiresAt]));
		return `${payload}.${b64(createHmac('sha256', this.#key).update(payload).digest())}`;
	}

	/** The state, or why not: a cookie that is missing, forged or too old. */
	open(cookie: string | undefined, now: number): { ok: true; state: LoginState } | { ok: false; code: 'login_expired' | 'state_mismatch' } {
		if (!cookie) return { ok: false, code: 'login_expired' };
		const [payload, mac, ...rest] = cookie.split('.');
		if (!payload || !mac || rest.length > 0) return { ok: false, code: 'state_mismatch' };
		const expected = createHmac('sha256', this.#key).update(payload).digest();
		const given = Buffer.from(mac, 'base64url');
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, code: 'state_mismatch' };
		const [state, verifier, redirect, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string, string, number];
		if (now >= expiresAt) return { ok: false, code: 'login_expired' };
		return { ok: true, state: { state, verifier, redirect, expiresAt } };
	}
}

/** `state` from the query equals the cookie's, compared in constant time. */
export function sameState(given: string, expected: string): boolean {
	const a = createHash('sha256').update(given).digest();
	const b = createHash('sha256').update(expected).digest();
	return timingSafeEqual(a, b);
}

/** Discord's `GET /users/@me`, the fields we use. */
const DiscordUserSchema = z.object({
	id: z.string().regex(/^\d{1,20}$/),
	username: z.string().max(100),
	global_name: z.string().max(100).nullable().optional(),
	avatar: z.string().max(100).nullable().optional()
});

export type DiscordLoginFailure = 'discord_refused' | 'discord_unavailable';

export interface DiscordOAuthSettings {
	clientId: string;
	clientSecret: string;
	/** `https://discord.com/api`, or a stand-in's base. */
	baseUrl: string;
	/** Where Discord sends the browser back: `<server>/api/v1/console/login/discord/callback`. */
	redirectUri: string;
}

/** The scopes asked for: who the user is, nothing more (no email, no guilds). */
const SCOPES = ['identify'];

/** Builds authorize URLs and turns a callback's code into the Discord user. */
export class DiscordOAuth {
	readonly #client: OAuth2Client;
	constructor(readonly settings: DiscordOAuthSettings) {
		this.#client = new OAuth2Client(settings.clientId, settings.clientSecret, settings.redirectUri);
	}

	/** A fresh state and PKCE verifier, and the authorize URL that carries the state and the verifier's S256 challenge. */
	begin(): { state: string; verifier: string; url: URL } {
		const state = generateState();
		const verifier = generateCodeVerifier();
		const url = this.#client.createAuthorizationURLWithPKCE(`${this.settings.baseUrl}/oauth2/authorize`, state, CodeChallengeMethod.S256, verifier, SCOPES);
		return { state, verifier, url };
	}

	/** Redeems `code` with the verifier, then asks who the token belongs to. */
	async user(code: string, verifier: string): Promise<{ ok: true; user: ConsoleUser & { discordId: string } } | { ok: false; code: DiscordLoginFailure; reason: string }> {
		let accessToken: string;
		try {
			accessToken = (await this.#client.validateAuthorizationCode(`${this.settings.baseUrl}/oauth2/token`, code, verifier)).accessToken();
		} catch (error) {
			if (error instanceof OAuth2RequestError) return { ok: false, code: 'discord_refused', reason: `token endpoint refused the code: ${error.code}` };
			if (error instanceof ArcticFetchError) return { ok: false, code: 'discord_unavailable', reason: 'token endpoint unreachable' };
			return { ok: false, code: 'discord_unavailable', reason: `token endpoint answered unexpectedly: ${(error as Error).message.slice(0, 200)}` };
		}
		try {
			const res = await fetch(`${this.settings.baseUrl}/users/@me`, { headers: { Authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) });
			if (!res.ok) return { ok: false, code: 'discord_refused', reason: `users/@me answered ${res.status}` };
			const parsed = DiscordUserSchema.safeParse(await res.json());
			if (!parsed.success) return { ok: false, code: 'discord_unavailable', reason: 'users/@me answered an unexpected body' };
			const u = parsed.data;
			const avatarUrl = u.avatar && /^(a_)?[0-9a-f]{32}$/.test(u.avatar) ? `https://cdn.discordapp.com/avatars/${u.id}/${u.avatar}.png?size=64` : null;
			return { ok: true, user: { discordId: u.id, name: u.global_name || u.username, avatarUrl } };
		} catch {
			return { ok: false, code: 'discord_unavailable', reason: 'users/@me unreachable' };
		}
	}
}
