import { createServer, type Server } from 'node:http';
import { request, type Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFor, startTlsFront, type TlsFront } from './tls-front.ts';

/** GET over HTTPS with `host` and no port, as Eris's REST client sends it. */
function get(agent: Agent, path: string): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const req = request({ host: '127.0.0.1', path, agent }, (res) => {
			let body = '';
			res.on('data', (d: Buffer) => (body += d.toString()));
			res.on('end', () => resolve({ status: res.statusCode!, body }));
		});
		req.on('error', reject);
		req.end();
	});
}

describe('startTlsFront', () => {
	let backend: Server;
	let front: TlsFront;

	beforeAll(async () => {
		backend = createServer((req, res) => res.end(`plain ${req.method} ${req.url}`));
		await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
		front = await startTlsFront((backend.address() as { port: number }).port);
	});

	afterAll(async () => {
		await front.close();
		await new Promise((resolve) => backend.close(resolve));
	});

	it('carries an HTTPS request with no port to the plain backend, through its agent', async () => {
		expect(await get(front.agent, '/api/v10/gateway')).toEqual({ status: 200, body: 'plain GET /api/v10/gateway' });
	});

	it('presents a real certificate: a client that does not trust it is refused', async () => {
		const stranger = agentFor(front.port);
		await expect(get(stranger, '/')).rejects.toThrow(/self[- ]signed/i);
		stranger.destroy();
	});
});
