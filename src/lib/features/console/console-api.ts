import { CONSOLE_API, CSRF_HEADER, type ConsoleEndpoint, type ConsoleEndpoints } from '#shared';

/*
 * The console's one way to the server: every call of `ConsoleEndpoints`, typed by its key
 * ("POST /incidents"), sent cross-origin with the session cookie (`credentials: 'include'`) and,
 * when it changes something, the session's CSRF token. The page never holds the session itself:
 * the cookie is HttpOnly and belongs to the server's origin.
 */

/** A refusal or failure, with the server's `{ error: { code, message } }` when it sent one. */
export class ConsoleApiError extends Error {
	constructor(
		/** HTTP status; 0 when the server could not be reached. */
		readonly status: number,
		/** The server's error code (`invalid_body`, `forbidden_role`, …), or `network` / `bad_answer`. */
		readonly code: string,
		message: string
	) {
		super(message);
		this.name = 'ConsoleApiError';
	}

	/** The session is gone (logged out, revoked, expired): the console shows the login again. */
	get sessionEnded(): boolean {
		return this.status === 401;
	}
}

type Params<E extends string> = E extends `${string}:${infer Name}/${infer Rest}` ? { [K in Name]: string | number } & Params<`/${Rest}`> : E extends `${string}:${infer Name}` ? { [K in Name]: string | number } : unknown;

/** What a call takes: the path's `:params`, a body where the endpoint has one, a query. */
export type CallOptions<E extends ConsoleEndpoint> = (keyof Params<E> extends never ? { params?: undefined } : { params: Params<E> }) &
	([ConsoleEndpoints[E]['body']] extends [never] ? { body?: undefined } : { body: ConsoleEndpoints[E]['body'] }) & { query?: Record<string, string | number | undefined> };

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** A request that has not answered by then counts as failed, so no button spins for ever. */
const TIMEOUT_MS = 15_000;

/** Typed calls to the server's console API (see `ConsoleEndpoints` in shared-types/console.ts). */
export class ConsoleApi {
	/** Sent as `X-Shardbeat-CSRF` on changes; set from `GET /me` or a login's answer. */
	csrfToken: string | null = null;
	readonly #serverUrl: string;
	readonly #fetch: typeof fetch;

	constructor(serverUrl: string, fetcher: typeof fetch = (...a) => fetch(...a)) {
		this.#serverUrl = serverUrl;
		this.#fetch = fetcher;
	}

	/** An absolute URL of the console API, e.g. for the browser to navigate to (Discord login). */
	url(path: string, query: Record<string, string | number | undefined> = {}): string {
		const url = new URL(CONSOLE_API + path, this.#serverUrl);
		for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
		return url.href;
	}

	/** Calls `endpoint`; resolves with its answer (null for `204`), rejects with a `ConsoleApiError`. */
	async call<E extends ConsoleEndpoint>(endpoint: E, ...[options]: {} extends CallOptions<E> ? [CallOptions<E>?] : [CallOptions<E>]): Promise<ConsoleEndpoints[E]['answer']> {
		const [method, template] = endpoint.split(' ') as [string, string];
		const params = (options?.params ?? {}) as Record<string, string | number>;
		const path = template.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(params[name])));
		const headers: Record<string, string> = { Accept: 'application/json' };
		if (options?.body !== undefined) headers['Content-Type'] = 'application/json';
		if (CHANGES.has(method) && this.csrfToken) headers[CSRF_HEADER] = this.csrfToken;
		let res: Response;
		try {
			res = await this.#fetch(this.url(path, options?.query), {
				method,
				headers,
				credentials: 'include',
				body: options?.body === undefined ? undefined : JSON.stringify(options.body),
				signal: AbortSignal.timeout(TIMEOUT_MS)
			});
		} catch {
			throw new ConsoleApiError(0, 'network', 'The status server did not answer. Check your connection and try again.');
		}
		if (res.status === 204) return null as ConsoleEndpoints[E]['answer'];
		const answer = (await res.json().catch(() => undefined)) as unknown;
		if (!res.ok) {
			const error = (answer as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
			throw new ConsoleApiError(
				res.status,
				typeof error?.code === 'string' ? error.code : `http_${res.status}`,
				typeof error?.message === 'string' ? error.message : `The server answered ${res.status} ${res.statusText}.`
			);
		}
		if (answer === undefined) throw new ConsoleApiError(res.status, 'bad_answer', 'The server’s answer was not JSON; is PUBLIC_SHARDBEAT_URL the status server?');
		return answer as ConsoleEndpoints[E]['answer'];
	}
}
