import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_SECRET, METRICS_TOKEN, RATE_LIMIT_DEFAULTS, scrapeMetrics, startServer, type Harness } from '#testing/server/harness';
import { createMetricsRoute } from '../http/metrics-route.ts';

/*
 * `/metrics` is for the operator's Prometheus: every way in but `Authorization: Bearer
 * <SHARDBEAT_METRICS_TOKEN>` is tried here and must give nothing away.
 */
const OPERATOR_SECRET = 'operator-secret-for-metrics-spec-0123';

let h: Harness | undefined;
let plain: Server | undefined;
afterEach(async () => {
	await h?.close();
	h = undefined;
	await new Promise((resolve) => (plain ? plain.close(resolve) : resolve(undefined)));
	plain = undefined;
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h!.url}${path}`, { headers });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A refusal: its status and error code, and no metric in the body. */
async function expectRefused(res: Response, status: number, code: string): Promise<{ message: string }> {
	expect(res.status).toBe(status);
	expect(res.headers.get('cache-control')).toBe('no-store');
	const text = await res.text();
	expect(text).not.toMatch(/shardbeat_|# HELP|# TYPE/);
	const body = JSON.parse(text) as { error: { code: string; message: string } };
	expect(body.error.code).toBe(code);
	return body.error;
}

async function operatorViewerToken(): Promise<string> {
	const res = await fetch(`${h!.url}/api/token`, { method: 'POST', headers: bearer(OPERATOR_SECRET) });
	return ((await res.json()) as { token: string }).token;
}

describe('/metrics authentication', () => {
	it('answers the metrics token, sent as a bearer token, and nothing else', async () => {
		h = await startServer({ operatorSecret: OPERATOR_SECRET, metricsToken: METRICS_TOKEN });
		const ok = await scrapeMetrics(h.url);
		expect(ok.status).toBe(200);
		expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
		expect(await ok.text()).toMatch(/^# TYPE shardbeat_shard_up gauge$/m);
		// The scheme is case-insensitive (RFC 9110); HEAD is a GET without the body.
		expect((await get('/metrics', { Authorization: `bearer ${METRICS_TOKEN}` })).status).toBe(200);
		expect((await fetch(`${h.url}/metrics`, { method: 'HEAD', headers: bearer(METRICS_TOKEN) })).status).toBe(200);

		const missing = await get('/metrics');
		expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="shardbeat-metrics"');
		expect((await expectRefused(missing, 401, 'unauthorized')).message).toMatch(/Authorization: Bearer <SHARDBEAT_METRICS_TOKEN>/);
		await expectRefused(await get('/metrics', bearer('wrong-token-0123456789abcdefghij')), 401, 'invalid_token');
	});

	it('refuses every other credential: near misses, other schemes, viewer tokens, the operator and bot secrets', async () => {
		h = await startServer({ operatorSecret: OPERATOR_SECRET, metricsToken: METRICS_TOKEN });
		const publicToken = ((await (await fetch(`${h.url}/api/token`, { method: 'POST' })).json()) as { token: string }).token;
		const attempts: Record<string, string>[] = [
			bearer(METRICS_TOKEN.slice(0, -1)),
			bearer(`${METRICS_TOKEN}x`),
			bearer(METRICS_TOKEN.toUpperCase()),
			bearer(`${METRICS_TOKEN} ${METRICS_TOKEN}`),
			bearer(''),
			{ Authorization: METRICS_TOKEN },
			{ Authorization: `Basic ${Buffer.from(`prometheus:${METRICS_TOKEN}`).toString('base64')}` },
			{ Authorization: `Token ${METRICS_TOKEN}` },
			{ 'X-Metrics-Token': METRICS_TOKEN },
			{ Cookie: `token=${METRICS_TOKEN}` },
			bearer(publicToken),
			bearer(await operatorViewerToken()),
			bearer(OPERATOR_SECRET),
			bearer(BOT_SECRET)
		];
		for (const headers of attempts) {
			const res = await get('/metrics', headers);
			expect(res.status, JSON.stringify(headers)).toBe(401);
			await expectRefused(res, 401, headers.Authorization === undefined ? 'unauthorized' : 'invalid_token');
		}
	});

	it('refuses a token in the query string, even alongside the right header', async () => {
		h = await startServer({ metricsToken: METRICS_TOKEN });
		for (const query of [`token=${METRICS_TOKEN}`, `access_token=${METRICS_TOKEN}`, `authorization=Bearer%20${METRICS_TOKEN}`]) {
			const message = (await expectRefused(await get(`/metrics?${query}`), 400, 'query_not_allowed')).message;
			expect(message).not.toContain(METRICS_TOKEN);
			await expectRefused(await get(`/metrics?${query}`, bearer(METRICS_TOKEN)), 400, 'query_not_allowed');
		}
	});

	it('is off (404 metrics_disabled, saying how to turn it on) without SHARDBEAT_METRICS_TOKEN, whatever is sent', async () => {
		h = await startServer({ operatorSecret: OPERATOR_SECRET, metricsToken: undefined });
		for (const headers of [{}, bearer(METRICS_TOKEN), bearer(OPERATOR_SECRET), bearer('')]) {
			const { message } = await expectRefused(await get('/metrics', headers), 404, 'metrics_disabled');
			expect(message).toMatch(/set SHARDBEAT_METRICS_TOKEN/);
		}
	});

	it('answers other methods 405', async () => {
		h = await startServer({ metricsToken: METRICS_TOKEN });
		const res = await fetch(`${h.url}/metrics`, { method: 'POST', headers: bearer(METRICS_TOKEN), body: 'x' });
		await expectRefused(res, 405, 'method_not_allowed');
	});

	it('never writes the token, or a guess at it, to the log', async () => {
		h = await startServer({ ...RATE_LIMIT_DEFAULTS, httpRatePerMin: 3, metricsToken: METRICS_TOKEN, logLevel: 'trace' });
		const guess = 'a-guess-at-the-token-0123456789abc';
		for (let i = 0; i < 5; i++) await get('/metrics', bearer(guess)); // the last ones are rate limited (and logged)
		await get(`/metrics?token=${guess}`);
		expect((await scrapeMetrics(h.url)).status).toBe(200);
		expect(h.logs.some((line) => line.msg === 'http request rate limited')).toBe(true);
		const logged = JSON.stringify(h.logs);
		expect(logged).not.toContain(METRICS_TOKEN);
		expect(logged).not.toContain(guess);
	});
});

describe('/metrics on a real server', () => {
	it('answers concurrent scrapes from one shared render', async () => {
		h = await startServer({ metricsToken: METRICS_TOKEN });
		// Process CPU time and event-loop figures move between any two renders: equal texts are one render.
		const texts = await Promise.all(Array.from({ length: 20 }, async () => (await scrapeMetrics(h!.url)).text()));
		expect(texts[0]).toMatch(/^shardbeat_process_cpu_user_seconds_total \S+$/m);
		expect(new Set(texts).size).toBe(1);
	});
});

describe('createMetricsRoute', () => {
	it('renders nothing for a refused request', async () => {
		let scrapes = 0;
		const route = createMetricsRoute({
			token: METRICS_TOKEN,
			metrics: {
				contentType: 'text/plain; version=0.0.4; charset=utf-8',
				scrape: async () => {
					scrapes++;
					return 'shardbeat_bots 1\n';
				}
			}
		});
		plain = createServer((req, res) => void route(req, res, new URL(req.url ?? '/', 'http://localhost')));
		await new Promise<void>((resolve) => plain!.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/metrics`;
		for (const headers of [{}, bearer('wrong-token-0123456789abcdefghij'), bearer(OPERATOR_SECRET)]) expect((await fetch(url, { headers })).status).toBe(401);
		expect((await fetch(`${url}?token=${METRICS_TOKEN}`)).status).toBe(400);
		expect(scrapes).toBe(0);
		expect(await (await fetch(url, { headers: bearer(METRICS_TOKEN) })).text()).toBe('shardbeat_bots 1\n');
		expect(scrapes).toBe(1);
	});
});
