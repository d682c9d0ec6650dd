import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compactRanges, type Incident, type IncidentUpdate } from '#shared';
import type { IncidentNotice } from '../history/incident-notice.ts';
import { COLOURS, discordMessage, DISCORD_LIMITS } from './discord-embed.ts';
import { verifySignature } from './signature.ts';
import { WebhookNotifier, type WebhookNotifierOptions, type WebhookTarget } from './webhooks.ts';

/* The notifier against a real HTTP receiver on loopback; backoff under fake timers, never slept through. */
const T0 = Date.UTC(2026, 10, 21, 12);
const SECRET = 'whsec-0123456789-very-secret';
const TOKEN = 'tok3n-AbCdEfGhIjKlMnOpQrStUvWxYz';
const DISCORD_PATH = `/api/webhooks/1234567890/${TOKEN}`;
const JSON_PATH = '/hooks/private-json-path';

type Reply = { status: number; headers?: Record<string, string> } | 'hang';
interface Received {
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
}

const servers: Server[] = [];
let logs: string[];
let notifier: WebhookNotifier | undefined;

/** A webhook endpoint: records every request; answers from `replies` in turn, then 204. */
async function receiver() {
	const received: Received[] = [];
	const replies: Reply[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			const reply = replies.shift() ?? { status: 204 };
			if (reply !== 'hang') res.writeHead(reply.status, reply.headers).end();
		});
	});
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return { base, received, replies, discord: { kind: 'discord', url: base + DISCORD_PATH } as WebhookTarget, json: { kind: 'json', url: base + JSON_PATH, secret: SECRET } as WebhookTarget };
}

/** A loopback port nothing listens on: connections are refused. */
async function deadUrl(path: string): Promise<string> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return `http://127.0.0.1:${port}${path}`;
}

function setup(targets: WebhookTarget[], options: Partial<WebhookNotifierOptions> = {}) {
	// Plain pino without redaction: a leak in the notifier must show up here.
	const logger = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
	notifier = new WebhookNotifier({ targets, logger, pageUrl: 'https://status.example.com/', botName: 'Mewbot', ...options });
	return notifier;
}

function incident(over: Partial<Incident> = {}): Incident {
	const update: IncidentUpdate = { id: 1, at: T0, status: 'investigating', message: 'Shards 0–15 are down.', kind: 'opened', shardsDown: range(0, 15) };
	return { id: 7, source: 'auto', title: 'Cluster 0 is down', status: 'investigating', impact: 'major', startedAt: T0 - 120_000, resolvedAt: null, clusterIds: [0], shardIds: [...range(0, 15), 32], updates: [update], ...over };
}

function range(from: number, to: number): number[] {
	return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function updated(message: string, over: Partial<Incident> = {}): IncidentNotice {
	const update: IncidentUpdate = { id: 2, at: Date.now(), status: 'identified', message };
	return { type: 'incident.updated', incident: incident({ status: 'identified', updates: [update], ...over }), update };
}

function resolved(id = 7): IncidentNotice {
	const update: IncidentUpdate = { id: 9, at: Date.now(), status: 'resolved', message: 'All shards are back.', kind: 'resolved' };
	return { type: 'incident.resolved', incident: incident({ id, status: 'resolved', resolvedAt: Date.now(), updates: [update] }), update };
}

/**
 * Waits for real I/O (the receiver, a refused connection) without moving the fake clock, unlike
 * `vi.waitFor`, which advances fake timers while it polls and would skew every backoff.
 */
async function until(check: () => void, timeoutMs = 5_000): Promise<void> {
	const deadline = performance.now() + timeoutMs; // performance is not faked
	for (;;) {
		try {
			return check();
		} catch (err) {
			if (performance.now() > deadline) throw err;
			await new Promise((resolve) => setImmediate(resolve));
		}
	}
}

const opened = (id = 7): IncidentNotice => ({ type: 'incident.opened', incident: incident({ id }) });
const events = (received: Received[]) => received.map((r) => (JSON.parse(r.body) as { type: string }).type);
const logged = (msg: string) => logs.map((l) => JSON.parse(l) as { msg: string }).filter((l) => l.msg.includes(msg));

beforeEach(() => {
	logs = [];
	vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
});
afterEach(async () => {
	await notifier?.close();
	notifier = undefined;
	vi.useRealTimers();
	vi.restoreAllMocks();
	for (const s of servers.splice(0)) {
		s.closeAllConnections();
		await new Promise((resolve) => s.close(resolve));
	}
});

describe('discordMessage', () => {
	it('writes shard lists as compact ranges', () => {
		expect(compactRanges([...range(0, 15), 32])).toBe('0\u2060–\u206015, 32');
		expect(compactRanges([9, 3, 5, 4, 4, 10, 12])).toBe('3\u2060–\u20605, 9\u2060–\u206010, 12');
		expect(compactRanges([])).toBe('');
	});

	it('colours by status and impact and keeps within Discord limits', () => {
		const colour = (i: Partial<Incident>, type: IncidentNotice['type'] = 'incident.updated') => (discordMessage({ type, incident: incident(i) }).embeds as { color: number }[])[0]!.color;
		expect(colour({ status: 'investigating', impact: 'critical' })).toBe(COLOURS.outage);
		expect(colour({ status: 'identified', impact: 'minor' })).toBe(COLOURS.degraded);
		expect(colour({ status: 'monitoring', impact: 'major' })).toBe(COLOURS.monitoring);
		expect(colour({ status: 'resolved' }, 'incident.resolved')).toBe(COLOURS.resolved);

		const long = incident({ title: 'T'.repeat(1_000), updates: [{ id: 1, at: T0, status: 'investigating', message: 'M'.repeat(10_000) }], shardIds: range(0, 5_000).filter((n) => n % 2 === 0) });
		const msg = discordMessage({ type: 'incident.opened', incident: long }, { pageUrl: 'https://status.example.com/', botName: 'Mewbot' });
		const [embed] = msg.embeds as { title: string; description: string; url: string; fields: { value: string }[] }[];
		expect(embed!.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
		expect(embed!.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
		expect(embed!.description.endsWith('…')).toBe(true);
		for (const f of embed!.fields) expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
		expect(embed!.url).toBe('https://status.example.com/incidents/');
		expect(msg.username).toBe('Mewbot Status');
	});
});

describe('WebhookNotifier', () => {
	it('sends an opened incident at once: a coloured Discord embed and a signed JSON body', async () => {
		const r = await receiver();
		const n = setup([r.discord, r.json]);
		n.notify(opened());
		expect(r.received).toHaveLength(0); // notify only queues
		await n.idle();
		expect(n.stats).toEqual({ sent: 2, failed: 0, dropped: 0, retried: 0 });

		const discord = r.received.find((x) => x.path === DISCORD_PATH)!;
		const body = JSON.parse(discord.body);
		expect(body.username).toBe('Mewbot Status');
		expect(body.embeds).toHaveLength(1);
		expect(body.embeds[0]).toMatchObject({
			title: 'Incident: Cluster 0 is down',
			description: 'Shards 0–15 are down.',
			url: 'https://status.example.com/incidents/',
			color: 0xe5484d,
			timestamp: new Date(T0).toISOString(),
			fields: [
				{ name: 'Status', value: 'Investigating · Major impact' },
				{ name: 'Affected shards', value: '0\u2060–\u206015, 32' }
			]
		});

		const json = r.received.find((x) => x.path === JSON_PATH)!;
		expect(json.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Shardbeat-Webhook/1', 'x-shardbeat-event': 'incident.opened', 'x-shardbeat-timestamp': String(T0 / 1000) });
		const sig = json.headers['x-shardbeat-signature'] as string;
		expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
		expect(verifySignature(SECRET, json.headers['x-shardbeat-timestamp'] as string, json.body, sig)).toBe(true);
		expect(verifySignature(SECRET, json.headers['x-shardbeat-timestamp'] as string, json.body.replace('"major"', '"minor"'), sig)).toBe(false);
		expect(verifySignature(SECRET, T0 / 1000 + 1, json.body, sig)).toBe(false);
		expect(verifySignature('other-secret', T0 / 1000, json.body, sig)).toBe(false);
		expect(verifySignature(SECRET, T0 / 1000, json.body, 'sha256=00')).toBe(false);
		expect(JSON.parse(json.body)).toEqual({ type: 'incident.opened', locale: 'en', incident: incident(), update: null, sentAt: T0 });
	});

	it('words every notice in its configured locale, as the page and the feeds do', async () => {
		const r = await receiver();
		const n = setup([r.discord, r.json], { locale: 'de' });
		const update: IncidentUpdate = { id: 3, at: T0, status: 'investigating', message: 'The outage spread: 3 shards are down in clusters 2 and 5 (shards 11, 40\u2060–\u206041).', kind: 'worsened', shardsDown: [11, 40, 41], clusterIdsDown: [2, 5] };
		const facts = incident({ title: '3 shards down in clusters 2 and 5', titleFacts: { shardCount: 3, clusterIds: [2, 5] }, clusterIds: [2, 5], shardIds: [11, 40, 41], updates: [update] });
		n.notify({ type: 'incident.updated', incident: facts, update });
		await n.idle();

		const embed = JSON.parse(r.received.find((x) => x.path === DISCORD_PATH)!.body).embeds[0];
		expect(embed).toMatchObject({
			title: 'Aktualisierung: 3 Shards in den Clustern 2 und 5 ausgefallen',
			description: 'Der Ausfall hat sich ausgeweitet: 3 Shards sind in den Clustern 2 und 5 ausgefallen (Shards 11, 40\u2060–\u206041).',
			url: 'https://status.example.com/de/incidents/',
			fields: [
				{ name: 'Status', value: 'Wird untersucht · Erhebliche Auswirkung' },
				{ name: 'Betroffene Shards', value: '11, 40\u2060–\u206041' }
			]
		});
		const json = JSON.parse(r.received.find((x) => x.path === JSON_PATH)!.body);
		expect(json.locale).toBe('de');
		expect(json.incident.title).toBe('3 Shards in den Clustern 2 und 5 ausgefallen');
		expect(json.incident.titleFacts).toEqual({ shardCount: 3, clusterIds: [2, 5] });
		expect(json.update).toMatchObject({ message: embed.description, kind: 'worsened', shardsDown: [11, 40, 41], clusterIdsDown: [2, 5] });
		expect(json.incident.updates[0].message).toBe(embed.description);
	});

	it('sends every update, in order: bursts were coalesced before they were stored, so a channel hears what the page shows', async () => {
		const r = await receiver();
		const n = setup([r.json]);
		n.notify(updated('first'));
		n.notify(updated('second'));
		n.notify(updated('third', { impact: 'critical' }));
		await n.idle();
		expect(r.received.map((x) => JSON.parse(x.body).update.message)).toEqual(['first', 'second', 'third']);
		expect(JSON.parse(r.received[2]!.body).incident.impact).toBe('critical');
	});

	it('never sends an update after its incident’s resolve', async () => {
		const r = await receiver();
		const n = setup([r.discord, r.json]);
		n.notify(resolved());
		n.notify(updated('late'));
		await n.idle();
		expect(r.received).toHaveLength(2);
		expect(events(r.received.filter((x) => x.path === JSON_PATH))).toEqual(['incident.resolved']);
		expect(JSON.parse(r.received.find((x) => x.path === DISCORD_PATH)!.body).embeds[0].color).toBe(0x30a46c);
		// Another incident is unaffected.
		n.notify(updated('elsewhere', { id: 8 }));
		await n.idle();
		expect(r.received).toHaveLength(4);
	});

	it('keeps order per target: an update held up by retries still goes before its resolve', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.5);
		const r = await receiver();
		r.replies.push({ status: 503 });
		const n = setup([r.json]);
		n.notify(updated('degraded'));
		await until(() => expect(n.stats.retried).toBe(1));
		n.notify(resolved());
		await vi.advanceTimersByTimeAsync(500);
		await n.idle();
		expect(events(r.received)).toEqual(['incident.updated', 'incident.updated', 'incident.resolved']);
	});

	it('retries a 500 with backoff and delivers', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.5);
		const r = await receiver();
		r.replies.push({ status: 500 });
		const n = setup([r.json], { baseDelayMs: 1_000 });
		n.notify(opened());
		await until(() => expect(n.stats.retried).toBe(1));
		// Full jitter: random(0.5) × 1 s.
		await vi.advanceTimersByTimeAsync(499);
		expect(r.received).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(1);
		await n.idle();
		expect(r.received).toHaveLength(2);
		expect(r.received[1]!.headers['x-shardbeat-delivery']).toBe(r.received[0]!.headers['x-shardbeat-delivery']);
		expect(n.stats).toEqual({ sent: 1, failed: 0, dropped: 0, retried: 1 });
	});

	it('does not retry a 400', async () => {
		const r = await receiver();
		r.replies.push({ status: 400 });
		const n = setup([r.discord]);
		n.notify(opened());
		await n.idle();
		await vi.advanceTimersByTimeAsync(600_000);
		expect(r.received).toHaveLength(1);
		expect(n.stats).toEqual({ sent: 0, failed: 1, dropped: 0, retried: 0 });
		expect(logged('refused')).toHaveLength(1);
	});

	it('honours Retry-After on a 429', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0); // jitter alone would retry at once
		const r = await receiver();
		r.replies.push({ status: 429, headers: { 'Retry-After': '7' } });
		const n = setup([r.discord]);
		n.notify(opened());
		await until(() => expect(n.stats.retried).toBe(1));
		await vi.advanceTimersByTimeAsync(6_999);
		expect(r.received).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(1);
		await n.idle();
		expect(r.received).toHaveLength(2);
		expect(n.stats.sent).toBe(1);
	});

	it('gives up after maxAttempts, and retries timeouts', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(1);
		const r = await receiver();
		r.replies.push({ status: 503 }, 'hang', { status: 502 });
		const n = setup([r.json], { maxAttempts: 3, baseDelayMs: 1_000, timeoutMs: 5_000 });
		n.notify(opened());
		await until(() => expect(n.stats.retried).toBe(1));
		await vi.advanceTimersByTimeAsync(1_000); // backoff 1 s, then the request hangs
		await until(() => expect(r.received).toHaveLength(2));
		await vi.advanceTimersByTimeAsync(5_000); // timed out
		await until(() => expect(n.stats.retried).toBe(2));
		await vi.advanceTimersByTimeAsync(4_000); // backoff 2^2 s
		await n.idle();
		expect(r.received).toHaveLength(3);
		expect(n.stats).toEqual({ sent: 0, failed: 1, dropped: 0, retried: 2 });
		expect(logged('giving up')).toHaveLength(1);
		expect(logs.join('\n')).toContain('timed out after 5000 ms');
	});

	it('bounds memory against a dead endpoint and leaves no timers after close', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(1);
		const n = setup([{ kind: 'json', url: await deadUrl(JSON_PATH), secret: SECRET }], { maxQueued: 10, maxAttempts: 3 });
		let most = 0;
		for (let i = 0; i < 1_000; i++) {
			n.notify(opened(i));
			most = Math.max(most, n.queued);
		}
		expect(most).toBe(10);
		expect(n.stats.dropped).toBe(1_000 - 10 - 1); // one on the wire
		// The first refusal: that notice is the oldest of a full queue, so it is dropped rather than retried.
		await until(() => expect(n.stats.dropped).toBe(1_000 - 10));
		// Twenty minutes of a dead endpoint: still bounded, and backed off rather than hammered.
		for (let t = 0; t < 1_200; t++) {
			await vi.advanceTimersByTimeAsync(1_000);
			expect(n.queued).toBeLessThanOrEqual(10);
		}
		expect(n.stats.sent).toBe(0);
		expect(n.stats.failed).toBeGreaterThan(0);
		expect(n.stats.retried + n.stats.failed).toBeLessThan(60);
		expect(logged('queue full')).toHaveLength(1);

		await n.close();
		expect(vi.getTimerCount()).toBe(0);
		expect(n.queued).toBe(0);
		n.notify(opened(2_000)); // after close: ignored, no timer, no throw
		expect(vi.getTimerCount()).toBe(0);
		await n.idle();
	});

	it('close() aborts a request in flight and clears its timers', async () => {
		const r = await receiver();
		r.replies.push('hang');
		const n = setup([r.json]);
		n.notify(opened());
		n.notify(updated('pending'));
		await until(() => expect(r.received).toHaveLength(1));
		expect(vi.getTimerCount()).toBeGreaterThan(0);
		await n.close();
		expect(vi.getTimerCount()).toBe(0);
		expect(n.stats).toEqual({ sent: 0, failed: 0, dropped: 0, retried: 0 });
	});

	it('never throws from notify', async () => {
		const n = setup([{ kind: 'json', url: 'http://127.0.0.1:9/x', secret: SECRET }], {
			fetch: () => {
				throw new Error('synchronous failure');
			}
		});
		expect(() => n.notify(null as unknown as IncidentNotice)).not.toThrow();
		expect(() => n.notify({ type: 'incident.bogus' } as unknown as IncidentNotice)).not.toThrow();
		expect(() => n.notify(opened())).not.toThrow();
		await until(() => expect(n.stats.retried).toBe(1));
		const bad = (() => {
			try {
				new WebhookNotifier({ targets: [{ kind: 'discord', url: `not a url ${TOKEN}` }], logger: pino({ enabled: false }) });
			} catch (err) {
				return (err as Error).message;
			}
		})();
		expect(bad).toBe('webhook target 0 (discord): not a valid URL');
	});

	it('keeps webhook URLs, tokens and secrets out of the logs', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(1);
		const r = await receiver();
		r.replies.push({ status: 404 }, { status: 500 }, { status: 500 });
		const dead = await deadUrl(`${DISCORD_PATH}?wait=true`);
		const n = setup([r.discord, r.json, { kind: 'discord', url: dead }], { maxAttempts: 2, maxQueued: 1 });
		n.notify(opened(1));
		n.notify(opened(2));
		n.notify(opened(3));
		await until(() => expect(n.stats.retried).toBeGreaterThan(0));
		await vi.advanceTimersByTimeAsync(10_000);
		await n.idle();
		await n.close();

		const text = logs.join('\n');
		expect(logs.length).toBeGreaterThan(3);
		expect(text).toContain(`discord:${new URL(r.base).host}`);
		expect(text).toContain(`json:${new URL(r.base).host}`);
		expect(text).toContain(`discord:${new URL(dead).host}`);
		for (const secret of [SECRET, TOKEN, DISCORD_PATH, JSON_PATH, '1234567890', 'private-json-path', 'wait=true']) expect(text).not.toContain(secret);
	});
});
