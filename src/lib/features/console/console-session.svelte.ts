import { roleAllows, type ConsoleLoginOptions, type ConsoleMe, type ConsoleRole } from '#shared';
import { ConsoleApi, ConsoleApiError } from './console-api.ts';

/**
 * `checking`: asking the server who we are; `signed-out`: show the login; `signed-in`: the
 * console; `unreachable`: the server did not answer (retry offered).
 */
export type SessionState = 'checking' | 'signed-out' | 'signed-in' | 'unreachable';

/** Why the login screen shows: a login the server refused, or a session that ended under us. */
export type LoginNotice =
	| { kind: 'login-error'; code: string; message?: string }
	| { kind: 'session-ended' }
	| { kind: 'logged-out' };

/** The query parameter the server's Discord callback reports a refused login in. */
export const LOGIN_ERROR_PARAM = 'login_error';

/**
 * The console's session as the page knows it: who is logged in with which role (`me`), which
 * logins the server offers, and the ways in and out. The session itself is an HttpOnly cookie
 * of the server's origin; this only mirrors what `GET /me` says.
 */
export class ConsoleSession {
	state = $state<SessionState>('checking');
	me = $state.raw<ConsoleMe | null>(null);
	logins = $state.raw<ConsoleLoginOptions | null>(null);
	notice = $state.raw<LoginNotice | null>(null);
	/** A key login is in flight. */
	busy = $state(false);

	readonly api: ConsoleApi;

	constructor(api: ConsoleApi) {
		this.api = api;
	}

	/** Whether the session's role may do what `needed` may; false when signed out. */
	can(needed: ConsoleRole): boolean {
		return this.me !== null && roleAllows(this.me.role, needed);
	}

	/**
	 * Asks the server who we are and which logins it offers. `loginError` is a refusal the
	 * Discord callback sent back in the URL (`?login_error=`).
	 */
	async check(loginError?: string | null): Promise<void> {
		this.state = 'checking';
		if (loginError) this.notice = { kind: 'login-error', code: loginError };
		const [me, logins] = await Promise.allSettled([this.api.call('GET /me'), this.api.call('GET /login')]);
		if (logins.status === 'fulfilled') this.logins = logins.value;
		if (me.status === 'fulfilled') return this.#signedIn(me.value);
		const error = me.reason;
		this.me = null;
		this.api.csrfToken = null;
		this.state = error instanceof ConsoleApiError && error.sessionEnded && logins.status === 'fulfilled' ? 'signed-out' : 'unreachable';
	}

	/** Logs in with the operator key; on refusal `notice` says why. */
	async loginWithKey(key: string): Promise<boolean> {
		this.busy = true;
		try {
			this.#signedIn(await this.api.call('POST /login/key', { body: { key } }));
			return true;
		} catch (error) {
			this.notice = error instanceof ConsoleApiError ? { kind: 'login-error', code: error.code, message: error.message } : { kind: 'login-error', code: 'network' };
			return false;
		} finally {
			this.busy = false;
		}
	}

	/**
	 * Where "Log in with Discord" sends the browser: the server's login, which comes back to
	 * `returnTo` (this console page, without a previous `login_error`).
	 */
	discordLoginUrl(returnTo: string): string {
		const url = new URL(returnTo);
		url.searchParams.delete(LOGIN_ERROR_PARAM);
		return this.api.url('/login/discord', { redirect: url.href });
	}

	/** Ends the session on the server; the page shows the login whatever the server answered. */
	async logout(): Promise<void> {
		await this.api.call('POST /logout').catch(() => undefined);
		this.#signedOut({ kind: 'logged-out' });
	}

	/**
	 * Every call of the console goes through here: a 401 means the session ended (revoked,
	 * expired, logged out elsewhere), so the login shows at once; other errors are the caller's.
	 */
	async run<T>(call: (api: ConsoleApi) => Promise<T>): Promise<T> {
		try {
			return await call(this.api);
		} catch (error) {
			if (error instanceof ConsoleApiError && error.sessionEnded && this.state === 'signed-in') this.ended();
			throw error;
		}
	}

	/** The session ended under us (a 401, the live connection refused): back to the login. */
	ended(): void {
		if (this.state === 'signed-in') this.#signedOut({ kind: 'session-ended' });
	}

	#signedIn(me: ConsoleMe): void {
		this.me = me;
		this.api.csrfToken = me.csrfToken;
		this.notice = null;
		this.state = 'signed-in';
	}

	#signedOut(notice: LoginNotice): void {
		this.me = null;
		this.api.csrfToken = null;
		this.notice = notice;
		this.state = 'signed-out';
	}
}
