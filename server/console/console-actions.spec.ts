import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditPage, FleetStatus, Incident, MaintenanceWindow, MessageTemplate, RetiredCluster } from '#shared';
import { historyDatabases } from '#testing/databases';
import { ConsoleClient } from '#testing/console/client';
import { CONSOLE_PAGE, consoleConfig, EDITOR, OPERATOR_KEY, OWNER, VIEWER } from '#testing/console/fixture';
import { startDiscordOAuth, type DiscordOAuthStandIn } from '#testing/discord/oauth';
import { botDies, connectBot, connectViewer, eventually, fetchToken, followViewer, heartbeat, sendHeartbeat, startServer, type Harness } from '#testing/server/harness';
import type { ServerConfig } from '../config.ts';
import type { IncidentNotice } from '../history/incident-notice.ts';

/*
 * What each role may do in the console, and that every change is stored, audited and pushed to
 * open public pages: real server, real sockets, the history in SQLite and then PostgreSQL.
 */

const H = { Authorization: `Bearer ${OPERATOR_KEY}`, 'Content-Type': 'application/json' };
const HOUR = 3_600_000;

let discord: DiscordOAuthStandIn;
let h: Harness | undefined;
beforeAll(async () => {
	discord = await startDiscordOAuth({ clientId: '300000000000000001', clientSecret: 'console-spec-client-secret', redirectUris: () => (h ? [`${h.url}/api/v1/console/login/discord/callback`] : []) });
});
afterAll(() => discord.close());

describe.each(historyDatabases)('console actions on $name', (target) => {
	let cleanup: (() => Promise<void>) | undefined;
	afterEach(async () => {
		await h?.close();
		h = undefined;
		await cleanup?.();
	});

	/** Every incident notice (what webhooks are sent from), in order. */
	let notices: IncidentNotice[] = [];
	async function start(overrides: Partial<ServerConfig> = {}) {
		const place = await target.open();
		cleanup = place.cleanup;
		notices = [];
		h = await startServer({ database: place.location, ...consoleConfig(discord.baseUrl), ...overrides }, 0, undefined, { onIncident: (n) => void notices.push(n) });
		await h.server.history.whenReady();
		const as = async (user: typeof OWNER) => {
			const c = new ConsoleClient(h!.url, CONSOLE_PAGE);
			await c.loginWithDiscord(discord, user);
			expect(c.me, user.username).toBeDefined();
			return c;
		};
		return { owner: await as(OWNER), editor: await as(EDITOR), viewer: await as(VIEWER) };
	}
	const operatorApi = (method: string, path: string, body?: unknown) => fetch(`${h!.url}/api/v1/operator${path}`, { method, headers: H, ...(body ? { body: JSON.stringify(body) } : {}) });

	it('lets each role do what it may and refuses the rest with 403 forbidden_role, changing nothing', async () => {
		const { owner, editor, viewer } = await start();
		const incident = await owner.ok<Incident>('POST', '/incidents', { title: 'Seed', message: 'Seed incident' });
		const template = await owner.ok<MessageTemplate>('POST', '/templates', { name: 'Seed', message: 'Seed' });
		const soon = Date.now() + HOUR;
		const window = await owner.ok<MaintenanceWindow>('POST', '/maintenance', { title: 'Seed', startsAt: soon, endsAt: soon + HOUR });
		// [method, path, body, least role]
		const table: [string, string, unknown, 'viewer' | 'editor' | 'owner'][] = [
			['GET', '/me', undefined, 'viewer'],
			['GET', '/fleet', undefined, 'viewer'],
			['POST', '/live-token', undefined, 'viewer'],
			['GET', '/incidents', undefined, 'viewer'],
			['GET', '/templates', undefined, 'viewer'],
			['GET', '/maintenance', undefined, 'viewer'],
			['POST', '/incidents', { title: 'New', message: 'New' }, 'editor'],
			['POST', `/incidents/${incident.id}/updates`, { status: 'identified', message: 'Found it' }, 'editor'],
			['PATCH', `/incidents/${incident.id}/updates/${incident.updates[0]!.id}`, { message: 'Seed, reworded' }, 'editor'],
			['PATCH', `/incidents/${incident.id}`, { note: 'A note' }, 'editor'],
			['POST', '/templates', { name: 'Another', message: 'x' }, 'editor'],
			['PATCH', `/templates/${template.id}`, { message: 'y' }, 'editor'],
			['POST', '/maintenance', { title: 'M', startsAt: soon, endsAt: soon + HOUR }, 'editor'],
			['PATCH', `/maintenance/${window.id}`, { title: 'Seed, renamed' }, 'editor'],
			['GET', '/sessions', undefined, 'owner'],
			['GET', '/audit', undefined, 'owner'],
			['DELETE', '/clusters/99', undefined, 'owner'],
			['DELETE', `/incidents/${incident.id}`, undefined, 'owner']
		];
		const rank = { viewer: 0, editor: 1, owner: 2 } as const;
		for (const [method, path, body, least] of table) {
			for (const [role, c] of [['viewer', viewer], ['editor', editor]] as const) {
				if (rank[role] >= rank[least]) continue;
				const before = await h!.server.history.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
				const res = await c.request(method, path, body);
				expect([role, method, path, res.status]).toEqual([role, method, path, 403]);
				expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden_role');
				const after = await h!.server.history.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
				expect(Number(after.n)).toBe(Number(before.n));
			}
		}
		// Refusals changed nothing: the seed incident is as it was.
		expect((await viewer.ok<Incident[]>('GET', '/incidents')).map((i) => [i.title, i.updates.length, i.note])).toEqual([['Seed', 1, undefined]]);
		// And each role may do its own.
		for (const [method, path, body, least] of table) {
			const c = { viewer, editor, owner }[least];
			const res = await c.request(method, path, body);
			expect([least, method, path, res.status < 400 || res.status === 404]).toEqual([least, method, path, true]);
		}
	});

	it('runs an incident from the console, each change pushed to an open public page at once and audited with who, when and which session', async () => {
		const { editor, owner } = await start();
		const page = await connectViewer(h!.url, await fetchToken(h!.url));
		const pushed: Incident[] = [];
		const deleted: number[] = [];
		page.on('incident', (i) => pushed.push(i));
		page.on('incident-deleted', (id) => deleted.push(id));

		const created = await editor.ok<Incident>('POST', '/incidents', { title: 'Slow commands', message: 'Looking into it.', impact: 'major', clusterIds: [3, 1, 3] });
		expect(created).toMatchObject({ source: 'operator', status: 'investigating', impact: 'major', clusterIds: [1, 3] });
		await eventually(() => pushed.length === 1);
		const updated = await editor.ok<Incident>('POST', `/incidents/${created.id}/updates`, { status: 'identified', message: 'A gateway region is degraded.' });
		const edited = await editor.ok<Incident>('PATCH', `/incidents/${created.id}/updates/${updated.updates[1]!.id}`, { message: 'A Discord gateway region is degraded.' });
		expect(edited.updates[1]).toMatchObject({ message: 'A Discord gateway region is degraded.', editedAt: expect.any(Number) });
		expect(edited.revision).toBe(1);
		// A postmortem follows the resolution, not before.
		const early = await editor.request('PUT', `/incidents/${created.id}/postmortem`, { message: 'Too early' });
		expect(early.status).toBe(409);
		await editor.ok('POST', `/incidents/${created.id}/updates`, { status: 'resolved', message: 'Fixed.' });
		const withPostmortem = await editor.ok<Incident>('PUT', `/incidents/${created.id}/postmortem`, { message: 'A region failed; we now fail over.' });
		expect(withPostmortem.postmortem).toMatchObject({ message: 'A region failed; we now fail over.' });
		const renamed = await editor.ok<Incident>('PATCH', `/incidents/${created.id}`, { title: 'Slow slash commands', note: 'EU only' });
		expect(renamed).toMatchObject({ title: 'Slow slash commands', note: 'EU only', revision: 3, status: 'resolved' });
		// An operator incident keeps a title: null is refused, and nothing changes.
		expect((await editor.request('PATCH', `/incidents/${created.id}`, { title: null })).status).toBe(400);
		await eventually(() => pushed.length === 6);
		expect(pushed.map((i) => [i.status, i.updates.length, i.revision ?? 0])).toEqual([
			['investigating', 1, 0],
			['identified', 2, 0],
			['identified', 2, 1],
			['resolved', 3, 1],
			['resolved', 3, 2],
			['resolved', 3, 3]
		]);
		// Webhooks hear of each opening, update and resolution once, and of no edit in place.
		expect(notices.map((n) => n.type)).toEqual(['incident.opened', 'incident.updated', 'incident.resolved']);
		await owner.ok('DELETE', `/incidents/${created.id}`);
		await eventually(() => deleted.length === 1);
		expect(deleted).toEqual([created.id]);
		expect(await editor.ok<Incident[]>('GET', '/incidents')).toEqual([]);
		// The public history no longer has it either.
		const history = (await (await fetch(`${h!.url}/api/v1/history`)).json()) as { incidents: Incident[] };
		expect(history.incidents).toEqual([]);

		const entries = (await owner.ok<AuditPage>('GET', '/audit?limit=200')).entries.filter((e) => e.action.startsWith('incident.'));
		expect(entries.map((e) => e.action).reverse()).toEqual(['incident.create', 'incident.update', 'incident.edit_update', 'incident.resolve', 'incident.postmortem', 'incident.rename', 'incident.delete']);
		const who = (e: AuditEntry) => (e.actor.kind === 'session' ? [e.actor.sessionId, e.actor.discordId, e.actor.role] : [e.actor.kind]);
		expect(entries.slice(1).map(who)).toEqual(Array(6).fill([editor.me!.sessionId, EDITOR.id, 'editor']));
		expect(who(entries[0]!)).toEqual([owner.me!.sessionId, OWNER.id, 'owner']);
		expect(entries.every((e) => e.target === `incident:${created.id}` && e.ip === '127.0.0.1' && Math.abs(e.at - Date.now()) < 60_000)).toBe(true);
	});

	it('renames and annotates an automatic incident: the title is shown as written, the facts kept; null goes back to them', async () => {
		const { editor } = await start();
		const id = (await h!.server.history.store.insertAutoIncident({ autoKey: 1, titleFacts: { shardCount: 2, clusterIds: [4] }, impact: 'minor', startedAt: Date.now() - 600_000, clusterIds: [4], shardIds: [8, 9] }))!;
		const renamed = await editor.ok<Incident>('PATCH', `/incidents/${id}`, { title: 'EU shards reconnecting', note: 'Discord-side' });
		expect(renamed).toMatchObject({ source: 'auto', title: 'EU shards reconnecting', note: 'Discord-side' });
		expect(renamed.titleFacts).toBeUndefined();
		const back = await editor.ok<Incident>('PATCH', `/incidents/${id}`, { title: null, note: null });
		expect(back.titleFacts).toEqual({ shardCount: 2, clusterIds: [4] });
		expect(back.title).toBe('2 shards down in cluster 4');
		expect(back.note).toBeUndefined();
	});

	it('schedules, edits, ends early and cancels maintenance, each pushed to open pages as the whole list', async () => {
		const { editor } = await start();
		const page = await connectViewer(h!.url, await fetchToken(h!.url));
		const lists: MaintenanceWindow[][] = [];
		page.on('maintenance', (w) => lists.push(w));
		const now = Date.now();
		const upcoming = await editor.ok<MaintenanceWindow>('POST', '/maintenance', { title: 'DB upgrade', startsAt: now + HOUR, endsAt: now + 2 * HOUR, clusterIds: [2, 1] });
		const running = await editor.ok<MaintenanceWindow>('POST', '/maintenance', { title: 'Re-shard', startsAt: now - 60_000, endsAt: now + HOUR, clusterIds: null });
		const edited = await editor.ok<MaintenanceWindow>('PATCH', `/maintenance/${upcoming.id}`, { title: 'Database upgrade', endsAt: now + 3 * HOUR });
		expect(edited).toMatchObject({ title: 'Database upgrade', startsAt: now + HOUR, endsAt: now + 3 * HOUR, clusterIds: [1, 2] });
		// A window in progress keeps its start; a patch that would end it before it starts is refused.
		expect((await editor.request('PATCH', `/maintenance/${running.id}`, { startsAt: now })).status).toBe(409);
		expect((await editor.request('PATCH', `/maintenance/${upcoming.id}`, { endsAt: now + HOUR - 1 })).status).toBe(400);
		// Ending early is for a window in progress; cancelling for one not started.
		expect((await editor.request('POST', `/maintenance/${upcoming.id}/end`)).status).toBe(409);
		expect((await editor.request('DELETE', `/maintenance/${running.id}`)).status).toBe(409);
		const ended = await editor.ok<MaintenanceWindow>('POST', `/maintenance/${running.id}/end`);
		expect(ended.endsAt).toBeLessThanOrEqual(Date.now());
		await editor.ok('DELETE', `/maintenance/${upcoming.id}`);
		await eventually(() => lists.length === 5);
		expect(lists.map((l) => l.map((w) => w.title))).toEqual([['DB upgrade'], ['Re-shard', 'DB upgrade'], ['Re-shard', 'Database upgrade'], ['Database upgrade'], []]);
		const actions = (await (await operatorApi('GET', '/audit')).json()) as AuditPage;
		expect(actions.entries.map((e) => e.action).filter((a) => a.startsWith('maintenance.')).reverse()).toEqual(['maintenance.schedule', 'maintenance.schedule', 'maintenance.edit', 'maintenance.end', 'maintenance.cancel']);
	});

	it('keeps message templates: create, list, edit, delete; names are unique', async () => {
		const { editor, viewer } = await start();
		const t = await editor.ok<MessageTemplate>('POST', '/templates', { name: 'Gateway degraded', title: 'Gateway degraded', message: 'Discord’s gateway is degraded.', status: 'identified', impact: 'minor' });
		expect((await editor.request('POST', '/templates', { name: 'Gateway degraded', message: 'again' })).status).toBe(409);
		const changed = await editor.ok<MessageTemplate>('PATCH', `/templates/${t.id}`, { message: 'Discord’s gateway is slow.', impact: null });
		expect(changed).toMatchObject({ name: 'Gateway degraded', title: 'Gateway degraded', message: 'Discord’s gateway is slow.', status: 'identified', impact: null });
		expect(await viewer.ok<MessageTemplate[]>('GET', '/templates')).toEqual([changed]);
		await editor.ok('DELETE', `/templates/${t.id}`);
		expect((await editor.request('DELETE', `/templates/${t.id}`)).status).toBe(404);
		expect(await viewer.ok<MessageTemplate[]>('GET', '/templates')).toEqual([]);
	});

	it('keeps the bearer operator API working, as owner, on the console routes too, audited as bearer', async () => {
		const { owner } = await start();
		const page = await connectViewer(h!.url, await fetchToken(h!.url));
		const maintenance: MaintenanceWindow[][] = [];
		page.on('maintenance', (w) => maintenance.push(w));
		const created = (await (await operatorApi('POST', '/incidents', { title: 'From CI', message: 'Deploy broke' })).json()) as Incident;
		expect(created.title).toBe('From CI');
		expect((await operatorApi('POST', `/incidents/${created.id}/updates`, { status: 'resolved', message: 'Rolled back' })).status).toBe(201);
		const soon = Date.now() + HOUR;
		const window = (await (await operatorApi('POST', '/maintenance', { title: 'Nightly', startsAt: soon, endsAt: soon + HOUR })).json()) as MaintenanceWindow;
		expect((await operatorApi('DELETE', `/maintenance/${window.id}`)).status).toBe(204);
		await eventually(() => maintenance.length === 2);
		// The console's routes take the bearer too (as owner), and need no CSRF token for it.
		const viaConsole = await fetch(`${h!.url}/api/v1/console/incidents/${created.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${OPERATOR_KEY}` } });
		expect(viaConsole.status).toBe(204);
		// A wrong bearer is refused, never mistaken for a cookie-less request.
		expect((await fetch(`${h!.url}/api/v1/console/incidents`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
		expect((await fetch(`${h!.url}/api/v1/operator/audit`)).status).toBe(401);
		const entries = (await owner.ok<AuditPage>('GET', '/audit')).entries.filter((e) => e.actor.kind === 'bearer');
		expect(entries.map((e) => e.action).reverse()).toEqual(['incident.create', 'incident.resolve', 'maintenance.schedule', 'maintenance.cancel', 'incident.delete']);
		// Pages through the log with before/next.
		const first = (await (await operatorApi('GET', '/audit?limit=2')).json()) as AuditPage;
		const second = (await (await operatorApi('GET', `/audit?limit=2&before=${first.next}`)).json()) as AuditPage;
		expect(first.entries).toHaveLength(2);
		expect(second.entries[0]!.id).toBeLessThan(first.entries[1]!.id);
		expect((await operatorApi('GET', '/audit?limit=0')).status).toBe(400);
	});

	it('shows the console the fleet in full detail when the public gets basic detail, live, and retires a stopped cluster (owner)', async () => {
		const { owner, viewer } = await start({ publicDetail: 'basic' });
		const bot = await connectBot(h!.url);
		expect((await sendHeartbeat(bot, heartbeat(1, [0, 1], 4))).ok).toBe(true);
		const bot2 = await connectBot(h!.url);
		expect((await sendHeartbeat(bot2, heartbeat(2, [2, 3], 4))).ok).toBe(true);
		await h!.server.flush();
		const fleet = await viewer.ok<FleetStatus>('GET', '/fleet');
		expect(fleet.clusters.find((c) => c.id === 1)!.shards[0]).toMatchObject({ ping: 40, guilds: 100 });
		const { token } = await viewer.ok<{ token: string }>('POST', '/live-token');
		const live = await followViewer(h!.url, token);
		const publicView = await followViewer(h!.url, await fetchToken(h!.url));
		expect(live.replica.status.clusters.find((c) => c.id === 1)!.shards[0]!.ping).toBe(40);
		expect(publicView.replica.status.clusters.find((c) => c.id === 1)!.shards[0]!.ping ?? null).toBeNull();
		await botDies(h!.server, bot2, [2]);
		expect((await owner.request('DELETE', '/clusters/1')).status).toBe(409);
		const retired = await owner.ok<RetiredCluster>('DELETE', '/clusters/2');
		expect(retired).toMatchObject({ clusterId: 2, shardIds: [2, 3] });
		await eventually(() => !live.replica.status.clusters.some((c) => c.id === 2));
		const audit = await owner.ok<AuditPage>('GET', '/audit');
		expect(audit.entries[0]).toMatchObject({ action: 'cluster.retire', target: 'cluster:2', actor: { kind: 'session', role: 'owner' } });
	});
});
