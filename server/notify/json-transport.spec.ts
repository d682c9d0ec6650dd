import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { spreadingIncident } from '#testing/fixtures/incident';
import { JsonTransport } from './json-transport.ts';
import type { OutboxJob } from './outbox.ts';
import { verifySignature } from './signature.ts';

const SECRET = 'json-webhook-secret-0123';
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A receiver on loopback answering each request with the next of `answers` (status and headers). */
async function receiver(answers: { status: number; headers?: Record<string, string> }[]) {
	const got: { headers: IncomingHttpHeaders; body: string }[] = [];
	server = createServer((req, res) => {
		let body = '';
		req.on('data', (c: Buffer) => (body += c.toString('utf8')));
		req.on('end', () => {
			got.push({ headers: req.headers, body });
			const a = answers.shift() ?? { status: 204 };
			res.writeHead(a.status, a.headers).end();
		});
	});
	await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?key=secret-query`, got };
}

const job = (url: string): OutboxJob => ({
	deliveryId: 9,
	noticeId: 42,
	notice: { type: 'incident.resolved', incident: spreadingIncident(), update: spreadingIncident().updates.at(-1)! },
	channel: 'json',
	recipient: 'op:json:x',
	to: { kind: 'operator', target: { kind: 'json', url, secret: SECRET } },
	thread: null,
	attempt: 1
});

describe('JsonTransport', () => {
	it('signs each attempt afresh, with the same delivery id on every attempt; 5xx retries, 429 waits Retry-After, a redirect or 4xx is refused', async () => {
		const r = await receiver([{ status: 503 }, { status: 429, headers: { 'Retry-After': '7' } }, { status: 302, headers: { Location: 'http://elsewhere.test/' } }, { status: 410 }, { status: 204 }]);
		let t = Date.UTC(2026, 10, 29, 10);
		const transport = new JsonTransport({ locale: 'de', now: () => t });
		const outcomes = [];
		for (let i = 0; i < 5; i++) {
			outcomes.push(await transport.send(job(r.url)));
			t += 1_000;
		}
		expect(outcomes).toEqual([
			{ kind: 'retry', reason: 'HTTP 503' },
			{ kind: 'defer', reason: 'HTTP 429', afterMs: 7_000 },
			{ kind: 'refused', reason: 'HTTP 302' },
			{ kind: 'refused', reason: 'HTTP 410' },
			{ kind: 'sent' }
		]);
		expect(new Set(r.got.map((g) => g.headers['x-shardbeat-delivery']))).toEqual(new Set(['notice-42']));
		expect(new Set(r.got.map((g) => g.headers['x-shardbeat-timestamp'])).size).toBe(5);
		for (const g of r.got) expect(verifySignature(SECRET, g.headers['x-shardbeat-timestamp'] as string, g.body, g.headers['x-shardbeat-signature'] as string)).toBe(true);
		expect(JSON.parse(r.got[0]!.body)).toMatchObject({ type: 'incident.resolved', locale: 'de', incident: { id: 4 }, update: { kind: 'resolved' } });
	});

	it('says nothing of the URL when the endpoint cannot be reached', async () => {
		const outcome = await new JsonTransport().send(job('http://127.0.0.1:1/hook?key=secret-query'));
		expect(outcome.kind).toBe('retry');
		expect(JSON.stringify(outcome)).not.toMatch(/secret-query|127\.0\.0\.1|hook/);
	});
});
