import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Harness } from '#testing/server/harness';
import { CONSOLE_PAGE, OPERATOR_KEY } from '#testing/console/fixture';
import { freePort } from '../../../../scripts/stack.ts';
import { ConsoleApi, ConsoleApiError } from './console-api.ts';

/*
 * The console's API client against the real server: what a browser adds on its own (the session
 * cookie of the server's origin, the page's `Origin`) comes from `browserLike`, the rest is the
 * client's: paths and params, the CSRF header on changes only, answers and refusals. (The session
 * state around it is a rune class, run in Chromium by e2e/console.e2e.ts.)
 */
let h: Harness;

beforeAll(async () => {
	h = await startServer({ operatorSecret: OPERATOR_KEY, pageUrl: CONSOLE_PAGE, consoleKeyLogin: true });
	await h.server.history.whenReady();
});
afterAll(() => h?.close());

/** A fetch that keeps cookies and sends the console's `Origin`, as Chromium does for the page; it records each request's headers. */
function browserLike(sent: { method: string; url: string; headers: Headers }[] = []): typeof fetch {
	const jar = new Map<string, string>();
	return async (input, init = {}) => {
		const headers = new Headers(init.headers);
		headers.set('Origin', CONSOLE_PAGE);
		if (jar.size > 0) headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
		sent.push({ method: init.method ?? 'GET', url: String(input), headers });
		const res = await fetch(input, { ...init, headers });
		for (const line of res.headers.getSetCookie()) {
			const [pair = ''] = line.split(';');
			const [name = '', value = ''] = pair.split('=');
			if (/Max-Age=0/.test(line)) jar.delete(name);
			else jar.set(name, value);
		}
		return res;
	};
}

describe('ConsoleApi against the real server', () => {
	it('logs in, sends the CSRF header on changes only, fills path params, and answers typed', async () => {
		const sent: { method: string; url: string; headers: Headers }[] = [];
		const api = new ConsoleApi(h.url, browserLike(sent));
		expect(await api.call('GET /login')).toEqual({ discord: false, key: true });
		await expect(api.call('GET /me')).rejects.toMatchObject({ status: 401, sessionEnded: true });
		await expect(api.call('POST /login/key', { body: { key: 'wrong-key-0123456789' } })).rejects.toMatchObject({ status: 401, code: 'wrong_key' });
		const me = await api.call('POST /login/key', { body: { key: OPERATOR_KEY } });
		expect(me.role).toBe('owner');
		api.csrfToken = me.csrfToken;

		const created = await api.call('POST /incidents', { body: { title: 'Slow logins', message: 'Looking.' } });
		const updated = await api.call('POST /incidents/:id/updates', { params: { id: created.id }, body: { status: 'resolved', message: 'Fixed.' } });
		expect(updated).toMatchObject({ id: created.id, status: 'resolved' });
		expect(await api.call('DELETE /incidents/:id', { params: { id: created.id } })).toBeNull();
		expect((await api.call('GET /incidents')).some((i) => i.id === created.id)).toBe(false);

		const withCsrf = sent.filter((r) => r.headers.get('X-Shardbeat-CSRF') === me.csrfToken).map((r) => `${r.method} ${new URL(r.url).pathname}`);
		expect(withCsrf).toEqual(['POST /api/v1/console/incidents', `POST /api/v1/console/incidents/${created.id}/updates`, `DELETE /api/v1/console/incidents/${created.id}`]);
	});

	it('turns a refusal into an error with the server’s code and words', async () => {
		const api = new ConsoleApi(h.url, browserLike());
		api.csrfToken = (await api.call('POST /login/key', { body: { key: OPERATOR_KEY } })).csrfToken;
		const refused = await api.call('POST /incidents/:id/updates', { params: { id: 999_999 }, body: { status: 'resolved', message: 'x' } }).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(ConsoleApiError);
		expect(refused).toMatchObject({ status: 404, code: 'unknown_incident', sessionEnded: false });
		expect((refused as Error).message).toMatch(/incident/);
		// Without the CSRF token, a change is refused and names why.
		api.csrfToken = null;
		await expect(api.call('POST /incidents', { body: { title: 'x', message: 'y' } })).rejects.toMatchObject({ status: 403, code: 'csrf_token_missing' });
	});

	it('says the server could not be reached, rather than failing on a missing answer', async () => {
		const api = new ConsoleApi(`http://127.0.0.1:${await freePort()}`);
		await expect(api.call('GET /login')).rejects.toMatchObject({ status: 0, code: 'network' });
	});
});
