import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSummary } from '../../../../server/public/summary.ts';
import { cluster, fleet, FIXTURE_T0 } from '#testing/fixtures/cluster';
import { fetchSummary } from './summary-client.ts';

/* The summary fetch against a real HTTP server on loopback: what it accepts, and everything it refuses. */

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
	for (const s of sockets) s.destroy();
	sockets.clear();
	await new Promise((r) => (server ? server.close(r) : r(undefined)));
	server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
	server = createServer(handler);
	server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
	await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const real = buildSummary(fleet([cluster({ id: 1, states: ['ready', 'reconnecting'] })], { totalShards: 2 }), [], [], FIXTURE_T0);

describe('fetchSummary', () => {
	it('reads the server’s real summary, from /api/v1/summary', async () => {
		let path = '';
		const url = await serve((req, res) => {
			path = req.url!;
			res.setHeader('content-type', 'application/json').end(JSON.stringify(real));
		});
		const summary = await fetchSummary(url, fetch);
		expect(path).toBe('/api/v1/summary');
		expect(summary).toEqual({ status: { state: 'degraded', shardsUp: 1, shardsTotal: 2 }, clusters: [{ id: 1, health: 'degraded', shardsUp: 1, shards: 2 }] });
	});

	it.each([
		{ name: 'an error status', status: 503, body: JSON.stringify(real) },
		{ name: 'HTML instead of JSON', status: 200, body: '<html>Bad gateway</html>' },
		{ name: 'an unknown state', status: 200, body: JSON.stringify({ ...real, status: { ...real.status, state: '<script>' } }) },
		{ name: 'a negative count', status: 200, body: JSON.stringify({ ...real, status: { ...real.status, shardsUp: -1 } }) },
		{ name: 'clusters missing', status: 200, body: JSON.stringify({ status: real.status }) },
		{ name: 'a truncated body', status: 200, body: JSON.stringify(real).slice(0, 40) }
	])('refuses $name', async ({ status, body }) => {
		const url = await serve((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body));
		expect(await fetchSummary(url, fetch)).toBeNull();
	});

	it('gives up on a server that never answers, after the timeout', async () => {
		const url = await serve(() => {}); // holds every request open
		expect(await fetchSummary(url, fetch, 200)).toBeNull();
	});

	it('returns null for no server configured, and for a closed port', async () => {
		expect(await fetchSummary('', fetch)).toBeNull();
		const url = await serve(() => {});
		await new Promise((r) => server!.close(r));
		server = undefined;
		expect(await fetchSummary(url, fetch)).toBeNull();
	});
});
