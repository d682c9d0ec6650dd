import { CONSOLE_API, CSRF_HEADER, type ConsoleMe } from '#shared';
import type { DiscordOAuthStandIn, DiscordOAuthUser } from '../discord/oauth.ts';

/*
 * The console as a browser drives it, for server specs: a cookie jar of one, the console's
 * `Origin` and its CSRF header on every request, redirects followed by hand (each hop checked),
 * so a test can drop or change any one of them.
 */

/** `name=value` of each `Set-Cookie` in a response. */
export function setCookies(res: Response): { name: string; value: string; attributes: string }[] {
	return res.headers.getSetCookie().map((line) => {
		const [pair = '', ...attributes] = line.split(';');
		const eq = pair.indexOf('=');
		return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes: attributes.join(';').trim() };
	});
}

export interface RequestOptions {
	/** Send this `Origin` instead of the console's (null: none, as curl). */
	origin?: string | null;
	/** Send this CSRF token instead of the session's (null: none). */
	csrf?: string | null;
	/** Send this cookie header instead of the jar's (null: none). */
	cookie?: string | null;
	headers?: Record<string, string>;
}

/** A logged-in (or not yet) console in a browser: its cookies, origin and CSRF token. */
export class ConsoleClient {
	/** Cookie name → value, as the browser would keep them (path ignored: the tests send to one server). */
	readonly jar = new Map<string, string>();
	csrf: string | undefined;
	me: ConsoleMe | undefined;

	constructor(
		readonly server: string,
		readonly origin: string
	) {}

	/** The `Cookie` header the jar makes. */
	get cookie(): string {
		return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	/** Keeps (or deletes, at `Max-Age=0`) what a response set. */
	keep(res: Response): void {
		for (const c of setCookies(res)) {
			if (/max-age=0\b/i.test(c.attributes) || c.value === '') this.jar.delete(c.name);
			else this.jar.set(c.name, c.value);
		}
	}

	/** A console API request (`path` relative to `/api/v1/console`), as the page's fetch with `credentials: 'include'` sends it. */
	async request(method: string, path: string, body?: unknown, o: RequestOptions = {}): Promise<Response> {
		const headers: Record<string, string> = { ...o.headers };
		const origin = o.origin === undefined ? this.origin : o.origin;
		if (origin !== null) headers.Origin = origin;
		const cookie = o.cookie === undefined ? this.cookie : o.cookie;
		if (cookie) headers.Cookie = cookie;
		const csrf = o.csrf === undefined ? this.csrf : o.csrf;
		if (csrf && method !== 'GET') headers[CSRF_HEADER] = csrf;
		if (body !== undefined) headers['Content-Type'] = 'application/json';
		const res = await fetch(`${this.server}${CONSOLE_API}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
		this.keep(res);
		return res;
	}

	/** `request` that must succeed; resolves with the parsed body (undefined for 204). */
	async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await this.request(method, path, body);
		if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
		return (res.status === 204 ? undefined : await res.json()) as T;
	}

	/** Loads `/me` into `me` and `csrf`. */
	async whoami(): Promise<ConsoleMe> {
		this.me = await this.ok<ConsoleMe>('GET', '/me');
		this.csrf = this.me.csrfToken;
		return this.me;
	}

	/** Logs in with the operator key. */
	async loginWithKey(key: string): Promise<Response> {
		const res = await this.request('POST', '/login/key', { key });
		if (res.ok) {
			this.me = (await res.clone().json()) as ConsoleMe;
			this.csrf = this.me.csrfToken;
		}
		return res;
	}

	/**
	 * Log in with Discord, hop by hop: the console's link to the server, the server's redirect to
	 * Discord, Discord's back to the callback (as `as`, or cancelled with null), the callback's to
	 * the console. `tamper` may rewrite the callback URL before the browser follows it. Resolves
	 * with every hop's response and the final location.
	 */
	async loginWithDiscord(
		discord: DiscordOAuthStandIn,
		as: DiscordOAuthUser | null,
		o: { redirect?: string; tamper?: (callback: URL) => URL } = {}
	): Promise<{ start: Response; authorize?: Response; callback?: Response; callbackUrl?: URL; landed?: URL }> {
		const query = o.redirect === undefined ? '' : `?redirect=${encodeURIComponent(o.redirect)}`;
		const start = await fetch(`${this.server}${CONSOLE_API}/login/discord${query}`, { redirect: 'manual', headers: this.jar.size ? { Cookie: this.cookie } : {} });
		this.keep(start);
		if (start.status !== 302) return { start };
		discord.user = as;
		const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
		let callbackUrl = new URL(authorize.headers.get('location')!);
		if (o.tamper) callbackUrl = o.tamper(callbackUrl);
		const callback = await fetch(callbackUrl, { redirect: 'manual', headers: this.jar.size ? { Cookie: this.cookie } : {} });
		this.keep(callback);
		const location = callback.headers.get('location');
		const landed = location ? new URL(location) : undefined;
		if (landed && !landed.searchParams.has('login_error') && this.jar.size > 0) await this.whoami().catch(() => undefined);
		return { start, authorize, callback, callbackUrl, ...(landed ? { landed } : {}) };
	}
}
