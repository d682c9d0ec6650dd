import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FleetHistory, Incident, MaintenanceWindow, StatusSummary } from '#shared';
import { BOT_SECRET, botDies, connectBot, fetchToken, heartbeat, METRICS_TOKEN, scrapeMetrics, sendHeartbeat, startServer, type Harness } from '#testing/server/harness';

/* The v1 API over real HTTP: operator writes, public reads, and the machine-readable endpoints. */

const OPERATOR = 'operator-secret-0123456789abcdef';
let h: Harness;
beforeEach(async () => {
	h = await startServer({ operatorSecret: OPERATOR, metricsToken: METRICS_TOKEN });
	await h.server.history.whenReady();
});
afterEach(() => h.close());

const post = (path: string, body: unknown, secret: string | null = OPERATOR, headers: Record<string, string> = {}) =>
	fetch(`${h.url}${path}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', ...(secret === null ? {} : { Authorization: `Bearer ${secret}` }), ...headers },
		body: typeof body === 'string' ? body : JSON.stringify(body)
	});

async function fleetHistory(tz = 'UTC'): Promise<FleetHistory> {
	h.server.history.service.invalidate();
	const res = await fetch(`${h.url}/api/v1/history?tz=${encodeURIComponent(tz)}`);
	expect(res.status).toBe(200);
	return res.json();
}

describe('operator API', () => {
	it('posts an incident and updates it to resolved; the history shows each step', async () => {
		const created = await post('/api/v1/operator/incidents', { title: 'Gateway latency', message: 'Looking into slow logins.', impact: 'minor', clusterIds: [2, 1, 2] });
		expect(created.status).toBe(201);
		const incident: Incident = await created.json();
		expect(incident).toMatchObject({ source: 'operator', title: 'Gateway latency', status: 'investigating', clusterIds: [1, 2], resolvedAt: null });
		expect((await fleetHistory()).incidents.map((i) => i.id)).toEqual([incident.id]);

		for (const status of ['identified', 'monitoring', 'resolved'] as const) {
			const res = await post(`/api/v1/operator/incidents/${incident.id}/updates`, { status, message: `Now ${status}.` });
			expect(res.status).toBe(201);
		}
		const [after] = (await fleetHistory()).incidents;
		expect(after!.status).toBe('resolved');
		expect(after!.resolvedAt).toEqual(expect.any(Number));
		expect(after!.updates.map((u) => u.status)).toEqual(['investigating', 'identified', 'monitoring', 'resolved']);
	});

	it.each([
		['no secret', null, 401, 'unauthorized'],
		['a wrong secret', 'not-the-operator-secret-at-all', 401, 'unauthorized'],
		['the bot secret', BOT_SECRET, 401, 'unauthorized']
	] as const)('refuses %s', async (_, secret, status, code) => {
		const res = await post('/api/v1/operator/incidents', { title: 'x', message: 'y' }, secret);
		expect(res.status).toBe(status);
		expect((await res.json()).error.code).toBe(code);
		expect((await fleetHistory()).incidents).toEqual([]);
	});

	it('refuses a viewer token as an operator secret', async () => {
		const token = await fetchToken(h.url);
		const res = await post('/api/v1/operator/incidents', { title: 'x', message: 'y' }, token);
		expect(res.status).toBe(401);
	});

	it.each<[string, unknown, RegExp]>([
		['an empty title', { title: ' ', message: 'y' }, /title: must not be empty/],
		['an unknown status', { title: 'x', message: 'y', status: 'panicking' }, /status/],
		['an unknown field', { title: 'x', message: 'y', severity: 'high' }, /severity|unrecognized/i],
		['a control character', { title: 'x\u0000', message: 'y' }, /control characters/],
		['a huge title', { title: 'x'.repeat(201), message: 'y' }, /at most 200/],
		['fractional cluster ids', { title: 'x', message: 'y', clusterIds: [1.5] }, /clusterIds/],
		['not an object', [1, 2], /body|expected object/i]
	])('refuses %s with a reason and stores nothing', async (_, body, reason) => {
		const res = await post('/api/v1/operator/incidents', body);
		expect(res.status).toBe(400);
		expect((await res.json()).error.message).toMatch(reason);
		expect((await fleetHistory()).incidents).toEqual([]);
	});

	it('refuses broken JSON, a wrong content type and an oversized body', async () => {
		expect((await post('/api/v1/operator/incidents', '{"title":')).status).toBe(400);
		expect((await post('/api/v1/operator/incidents', 'title=x', OPERATOR, { 'Content-Type': 'text/plain' })).status).toBe(415);
		expect((await post('/api/v1/operator/incidents', { title: 'x', message: 'y'.repeat(20_000) })).status).toBe(413);
	});

	it('answers 404 for an update to an unknown incident', async () => {
		const res = await post('/api/v1/operator/incidents/999/updates', { status: 'resolved', message: 'done' });
		expect(res.status).toBe(404);
		expect((await res.json()).error.code).toBe('unknown_incident');
	});

	it('schedules and deletes maintenance; a window must end after it starts', async () => {
		const now = Date.now();
		expect((await post('/api/v1/operator/maintenance', { title: 'DB upgrade', startsAt: now + 60_000, endsAt: now })).status).toBe(400);
		const res = await post('/api/v1/operator/maintenance', { title: 'DB upgrade', message: 'Restarting clusters 1–2.', startsAt: now + 60_000, endsAt: now + 3_600_000, clusterIds: [1, 2] });
		expect(res.status).toBe(201);
		const window: MaintenanceWindow = await res.json();
		expect((await fleetHistory()).maintenance.map((m) => m.id)).toEqual([window.id]);
		const summary: StatusSummary = await (await fetch(`${h.url}/api/v1/summary`)).json();
		expect(summary.maintenance.upcoming.map((m) => m.title)).toEqual(['DB upgrade']);
		const del = await fetch(`${h.url}/api/v1/operator/maintenance/${window.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${OPERATOR}` } });
		expect(del.status).toBe(204);
		expect((await fleetHistory()).maintenance).toEqual([]);
	});

	it('retires a stopped cluster: it leaves the fleet, and rejoins if it reports again', async () => {
		const retire = (id: number | string, secret: string | null = OPERATOR) =>
			fetch(`${h.url}/api/v1/operator/clusters/${id}`, { method: 'DELETE', headers: secret === null ? {} : { Authorization: `Bearer ${secret}` } });
		const clusters = async () => ((await (await fetch(`${h.url}/api/status`)).json()) as { clusters: { id: number; lifecycle: string }[] }).clusters.map((c) => `${c.id}:${c.lifecycle}`);
		const live = await connectBot(h.url);
		await sendHeartbeat(live, heartbeat(0, [0, 1], 4));
		const dying = await connectBot(h.url);
		await sendHeartbeat(dying, heartbeat(1, [2, 3], 4));
		await h.server.flush();
		await botDies(h.server, dying, [1]);

		const refusals: [Response, number, string, RegExp][] = [
			[await retire(1, null), 401, 'unauthorized', /SHARDBEAT_OPERATOR_SECRET/],
			[await retire(1, BOT_SECRET), 401, 'unauthorized', /SHARDBEAT_OPERATOR_SECRET/],
			[await retire(0), 409, 'cluster_live', /cluster 0 is running .*only a stopped cluster can be retired/],
			[await retire(5), 404, 'unknown_cluster', /no cluster 5 in the fleet/],
			[await retire('x1'), 404, 'not_found', /no operator route DELETE/]
		];
		for (const [res, status, code, message] of refusals) {
			expect(res.status).toBe(status);
			const { error } = (await res.json()) as { error: { code: string; message: string } };
			expect(error.code).toBe(code);
			expect(error.message).toMatch(message);
		}
		expect(await clusters()).toEqual(['0:running', '1:stopped']);

		const res = await retire(1);
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('no-store');
		expect(await res.json()).toEqual({ clusterId: 1, retiredAt: expect.any(Number), shardIds: [2, 3] });
		expect(await clusters()).toEqual(['0:running']);
		expect(h.logs.some((l) => l.msg === 'cluster retired by an operator; it left the fleet' && l.cluster === 1)).toBe(true);
		await h.server.history.recorder.flush();
		const rows = await h.server.history.db.selectFrom('cluster_transitions').select(['cluster_id', 'lifecycle']).where('cluster_id', '=', 1).orderBy('id').execute();
		expect(rows.map((r) => r.lifecycle)).toEqual(['running', 'stopped', 'removed']);
		expect((await retire(1)).status).toBe(404);

		const back = await connectBot(h.url);
		await sendHeartbeat(back, heartbeat(1, [2, 3], 4));
		await h.server.flush();
		expect(await clusters()).toEqual(['0:running', '1:running']);
	});

	it('is off without a secret', async () => {
		await h.close();
		h = await startServer({ operatorSecret: undefined });
		const res = await post('/api/v1/operator/incidents', { title: 'x', message: 'y' });
		expect(res.status).toBe(404);
		expect((await res.json()).error.code).toBe('operator_api_disabled');
	});
});

describe('public history and machine endpoints', () => {
	it('history validates tz and answers 90 days of bars and per-cluster uptime', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, heartbeat(0, [0, 1]));
		await h.server.flush();
		await h.server.history.recorder.flush();
		const bad = await fetch(`${h.url}/api/v1/history?tz=${encodeURIComponent('Mars/Olympus')}`);
		expect(bad.status).toBe(400);
		expect((await bad.json()).error.code).toBe('invalid_time_zone');
		const history = await fleetHistory('Europe/Berlin');
		expect(history.timeZone).toBe('Europe/Berlin');
		expect(history.bars.days).toHaveLength(90);
		expect(history.bars.ratio).toHaveLength(90);
		expect(history.clusters.map((c) => c.id)).toEqual([0]);
		expect(history.uptime['24h']).toBe(1);
		const cluster = await fetch(`${h.url}/api/v1/history/clusters/0?tz=UTC`);
		expect(cluster.headers.get('cache-control')).toMatch(/max-age=\d+/);
		expect((await cluster.json()).ping).toHaveLength(96);
		expect((await fetch(`${h.url}/api/v1/history/clusters/7?tz=UTC`)).status).toBe(404);
	});

	it('summary, badge, feeds and metrics describe the same fleet', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, heartbeat(0, [0, 1], 2));
		await h.server.flush();
		await post('/api/v1/operator/incidents', { title: 'Slow <logins> & more', message: 'Looking.' });

		const summary = await fetch(`${h.url}/api/v1/summary`);
		expect(summary.headers.get('cache-control')).toBe('public, max-age=5');
		const body: StatusSummary = await summary.json();
		expect(body.status.state).toBe('operational');
		expect(body.clusters).toEqual([expect.objectContaining({ id: 0, health: 'healthy', shardsUp: 2, shards: 2 })]);
		expect(body.activeIncidents.map((i) => i.title)).toEqual(['Slow <logins> & more']);

		const badge = await fetch(`${h.url}/badge.svg`);
		expect(badge.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
		expect(await badge.text()).toMatch(/operational/);

		const rss = await (await fetch(`${h.url}/feeds/incidents.rss`)).text();
		expect(rss).toContain('Slow &lt;logins&gt; &amp; more');
		const atom = await fetch(`${h.url}/feeds/incidents.atom`);
		expect(atom.headers.get('content-type')).toMatch(/^application\/atom\+xml/);

		const metrics = await (await scrapeMetrics(h.url)).text();
		expect(metrics).toMatch(/^shardbeat_shard_up\{cluster="0",shard="1"\} 1$/m);
		expect(metrics).toMatch(/^shardbeat_heartbeats_accepted_total 1$/m);
		expect(metrics).toMatch(/^shardbeat_bots 1$/m);
	});

	it("names the bot as SHARDBEAT_BOT_NAME says in the badge and the feeds, and 'Shardbeat' when unset", async () => {
		expect(await (await fetch(`${h.url}/badge.svg`)).text()).toContain('Shardbeat');
		expect(await (await fetch(`${h.url}/feeds/incidents.rss`)).text()).toContain('<title>Shardbeat status: incidents</title>');
		await h.close();
		h = await startServer({ operatorSecret: OPERATOR, botName: 'Acme Bot' });
		const badge = await (await fetch(`${h.url}/badge.svg`)).text();
		expect(badge).toContain('Acme Bot');
		expect(badge).not.toContain('Shardbeat');
		expect(await (await fetch(`${h.url}/feeds/incidents.rss`)).text()).toContain('<title>Acme Bot status: incidents</title>');
		expect(await (await fetch(`${h.url}/feeds/incidents.atom`)).text()).toContain('Acme Bot status: incidents');
	});

	it('serves the feeds in the language ?lang= asks for (English without it), and refuses another, naming lang', async () => {
		await post('/api/v1/operator/incidents', { title: 'Slow logins', message: 'Looking.', status: 'identified' });
		const feed = async (query: string) => {
			const res = await fetch(`${h.url}/feeds/incidents.rss${query}`);
			return { status: res.status, body: await res.text() };
		};
		const plain = await feed('');
		expect(plain.body).toContain('<language>en</language>');
		expect(plain.body).toContain('<title>[Identified] Slow logins</title>');
		for (const [lang, status] of [['de', 'Ursache gefunden'], ['fr', 'Cause identifiée'], ['es', 'Identificado'], ['en', 'Identified']]) {
			const { body } = await feed(`?lang=${lang}`);
			expect(body).toContain(`<language>${lang}</language>`);
			expect(body).toContain(`<title>[${status}] Slow logins</title>`);
			expect(body).toContain(`/feeds/incidents.rss?lang=${lang}`);
		}
		expect(await (await fetch(`${h.url}/feeds/incidents.atom?lang=de`)).text()).toContain('xml:lang="de"');
		for (const bad of ['xx', 'DE', 'de-DE', '']) {
			const { status, body } = await feed(`?lang=${bad}`);
			expect(status).toBe(400);
			expect(JSON.parse(body).error).toEqual({ code: 'invalid_lang', message: 'lang must be one of en, de, fr, es' });
		}
	});

	it('answers every spelling of a zone as that zone, in the runtime\'s spelling', async () => {
		for (const tz of ['europe/berlin', 'EUROPE/BERLIN', 'Europe/Berlin']) {
			const res = await fetch(`${h.url}/api/v1/history?tz=${tz}`);
			expect(res.status).toBe(200);
			expect((await res.json()).timeZone).toBe('Europe/Berlin');
		}
	});

	it('builds a feed once per incident list, not once per request', async () => {
		await h.close();
		let now = Date.now();
		h = await startServer({ operatorSecret: OPERATOR }, 0, () => now);
		await h.server.history.whenReady();
		for (const path of ['/feeds/incidents.rss', '/feeds/incidents.atom']) {
			const first = await (await fetch(h.url + path)).text();
			now += 5_000; // the built time would move: the same list is not built again
			expect(await (await fetch(h.url + path)).text()).toBe(first);
		}
	});

	it('history answers 503 with Retry-After while its database is unreachable', async () => {
		await h.close();
		// A PostgreSQL URL nobody listens on: live status starts; history says it is not there yet.
		h = await startServer({ database: 'postgres://nobody@127.0.0.1:1/none' });
		const res = await fetch(`${h.url}/api/v1/history`);
		expect(res.status).toBe(503);
		expect(res.headers.get('retry-after')).toBe('5');
		expect((await fetch(`${h.url}/api/status`)).status).toBe(200);
		const health = await (await fetch(`${h.url}/healthz`)).json();
		expect(health).toMatchObject({ status: 'ok', history: 'postgres', historyOk: false });
		expect(h.logs.some((l) => /history database unavailable/.test(String(l.msg)))).toBe(true);
	});
});

describe('an oversized operator body', () => {
	it('gets its 413 and the keep-alive connection still serves the next request', async () => {
		const { request, Agent } = await import('node:http');
		const agent = new Agent({ keepAlive: true, maxSockets: 1 });
		const call = (body: string) =>
			new Promise<number>((resolve, reject) => {
				const req = request(`${h.url}/api/v1/operator/incidents`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${OPERATOR}` } }, (res) => {
					res.resume();
					res.on('end', () => resolve(res.statusCode!));
				});
				req.on('error', reject);
				req.end(body);
			});
		expect(await call(JSON.stringify({ title: 'x', message: 'y'.repeat(40_000) }))).toBe(413);
		expect(await call(JSON.stringify({ title: 'x', message: 'y' }))).toBe(201);
		agent.destroy();
	});
});
