import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on `host:port` (0 picks a free port) and resolves with the base URL, e.g. `http://127.0.0.1:4000`. */
export async function listenHttp(http: HttpServer, port: number, host: string): Promise<string> {
	await new Promise<void>((resolve, reject) => {
		http.once('error', reject);
		http.listen(port, host, () => {
			http.off('error', reject);
			resolve();
		});
	});
	const address = http.address() as AddressInfo;
	return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}
