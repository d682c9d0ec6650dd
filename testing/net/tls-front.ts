import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

export interface TlsFront {
	port: number;
	/** The certificate the front presents (self-signed, for IP 127.0.0.1), PEM. */
	cert: string;
	/**
	 * An HTTPS agent for a client that only speaks HTTPS to a host on port 443 (Eris's REST client):
	 * it trusts the front's certificate and sends requests without a port to the front's.
	 */
	agent: Agent;
	close(): Promise<void>;
}

/** A throwaway self-signed certificate for IP 127.0.0.1 (P-256: made in milliseconds). */
function loopbackCertificate(): { key: string; cert: string } {
	const dir = mkdtempSync(join(tmpdir(), 'shardbeat-tls-'));
	try {
		const key = join(dir, 'key.pem');
		const cert = join(dir, 'cert.pem');
		execFileSync('openssl', [
			'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
			'-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert
		], { stdio: ['ignore', 'ignore', 'pipe'] });
		return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * An HTTPS agent whose requests that name no port go to `port` (Node reads the agent's
 * `defaultPort` then), trusting `ca` if given, else only the usual public roots.
 */
export function agentFor(port: number, ca?: string): Agent {
	// `defaultPort` is set after construction: https.Agent's constructor always sets it to 443.
	return Object.assign(new Agent({ ...(ca === undefined ? {} : { ca }), keepAlive: false }), { defaultPort: port });
}

/**
 * TLS on loopback in front of a plain-TCP backend (a stand-in that serves HTTP): it terminates TLS
 * and passes the bytes through, so a client that insists on HTTPS talks to the backend unchanged.
 */
export async function startTlsFront(backendPort: number, backendHost = '127.0.0.1'): Promise<TlsFront> {
	const { key, cert } = loopbackCertificate();
	const open = new Set<Socket | TLSSocket>();
	const server = createServer({ key, cert }, (client) => {
		const upstream = createConnection({ port: backendPort, host: backendHost });
		for (const socket of [client, upstream]) {
			open.add(socket);
			socket.on('error', () => undefined);
			socket.once('close', () => {
				open.delete(socket);
				client.destroy();
				upstream.destroy();
			});
		}
		client.pipe(upstream).pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	const agent = agentFor(port, cert);
	return {
		port,
		cert,
		agent,
		close() {
			agent.destroy();
			for (const socket of open) socket.destroy();
			return new Promise((resolve) => server.close(() => resolve()));
		}
	};
}
