import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createShardbeatServer, type ShardbeatServer, type ShardbeatServerOptions } from '../server/app.ts';
import type { ServerConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { FleetSimulator, type FleetSimulatorOptions } from '../server/simulator/fleet-simulator.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A free loopback port, for servers that must know their port before they start. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createNetServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

/** Runs `vite build` (the Cloudflare worker into .svelte-kit/cloudflare). */
export function buildPage(): Promise<void> {
	return run('node_modules/.bin/vite', ['build'], 'vite build');
}

function run(cmd: string, args: string[], label: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${label} failed (exit ${code}):\n${out.slice(-4000)}`))));
	});
}

/** A long-running child (wrangler, vite) in its own process group, so stopping it stops its children too. */
export interface Service {
	url: string;
	output(): string;
	stop(): Promise<void>;
}

function service(cmd: string, args: string[], ready: RegExp, url: string, env: Record<string, string> = {}): Promise<Service> {
	return new Promise((resolve, reject) => {
		const child: ChildProcess = spawn(cmd, args, {
			cwd: ROOT,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', ...env }
		});
		let out = '';
		const timer = setTimeout(() => {
			stop();
			reject(new Error(`${cmd} did not become ready in 90 s:\n${out.slice(-4000)}`));
		}, 90_000);
		const onData = (d: Buffer) => {
			out += d;
			if (ready.test(out)) {
				clearTimeout(timer);
				resolve({ url, output: () => out, stop });
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`${cmd} exited (${code}) before it was ready:\n${out.slice(-4000)}`));
		});
		function stop(): Promise<void> {
			if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
			return new Promise((done) => {
				child.once('exit', () => done());
				try {
					process.kill(-child.pid!, 'SIGTERM');
				} catch {
					done();
				}
			});
		}
	});
}

/** Serves the built worker with `wrangler dev`, the way Cloudflare runs it. */
export function serveWorker(port: number, vars: Record<string, string>): Promise<Service> {
	const args = ['dev', '--ip', '127.0.0.1', '--port', String(port)];
	for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
	return service('node_modules/.bin/wrangler', args, /Ready on http/, `http://127.0.0.1:${port}`);
}

/** `vite dev` with the given public env: the dev page, whose demo fallback tests need. */
export function serveDev(port: number, env: Record<string, string>): Promise<Service> {
	return service('node_modules/.bin/vite', ['dev', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], /ready in/, `http://127.0.0.1:${port}`, env);
}

export interface Stack {
	/** The server running now: after `startServer()` a new instance, so read it afresh rather than keep it. */
	readonly server: ShardbeatServer;
	serverUrl: string;
	/** The fleet running now: after `startFleet()` a new one, so read it afresh rather than keep it. */
	readonly fleet: FleetSimulator;
	page: Service;
	/**
	 * The bot restarts with another layout (a re-shard): stops the fleet running now, if it still
	 * runs, and starts a new simulated fleet on the same server and secret with `options`. Resolves
	 * once every cluster of the new fleet is connected.
	 */
	startFleet(options: Partial<Omit<FleetSimulatorOptions, 'url' | 'secret'>>): Promise<FleetSimulator>;
	/**
	 * Closes the server as a deploy would (sockets dropped, port freed); the fleet and the page keep
	 * running and retry on their own. Resolves once it is closed. Safe to call twice.
	 */
	stopServer(): Promise<void>;
	/**
	 * Starts a fresh server (empty memory, same config: same secrets, so tokens the page holds stay
	 * valid) on the same port after `stopServer()`, and resolves with it once it listens.
	 * `beforeListen` sees it before any client can reach it (to add a Socket.io middleware, say).
	 */
	startServer(options?: { beforeListen?: (server: ShardbeatServer) => void }): Promise<ShardbeatServer>;
	stop(): Promise<void>;
}

export interface StackOptions {
	/** The server's config (`npm start`: `loadConfig`; tests: `testing/stack.ts`). */
	config: ServerConfig;
	serverPort?: number;
	pagePort?: number;
	fleet?: Partial<FleetSimulatorOptions>;
	/** Options of every server the stack starts (e.g. `incidentCheckIntervalMs`); the logger is the stack's. */
	serverOptions?: Omit<ShardbeatServerOptions, 'logger'>;
	build?: boolean;
	botName?: string;
}

/** Server + simulated fleet + the built page under wrangler: the whole product on loopback. */
export async function startStack(options: StackOptions): Promise<Stack> {
	if (options.build) await buildPage();
	const pagePort = options.pagePort ?? (await freePort());
	const { config } = options;
	const create = () => createShardbeatServer(config, { ...options.serverOptions, logger: createLogger(config.logLevel) });
	let server = create();
	const serverUrl = await server.listen(options.serverPort ?? 0, '127.0.0.1');
	// A restart must come back where the fleet and the page (PUBLIC_SHARDBEAT_URL) look for it.
	const serverPort = Number(new URL(serverUrl).port);
	let serverClosed = false;
	let fleet = new FleetSimulator({ url: serverUrl, secret: config.botSecret, ...options.fleet });
	fleet.start();
	await fleet.connected(60_000);
	const page = await serveWorker(pagePort, {
		PUBLIC_SHARDBEAT_URL: serverUrl,
		...(options.botName ? { PUBLIC_SHARDBEAT_BOT_NAME: options.botName } : {})
	});
	return {
		get server() {
			return server;
		},
		serverUrl,
		get fleet() {
			return fleet;
		},
		page,
		async startFleet(fleetOptions) {
			fleet.stop();
			fleet = new FleetSimulator({ ...options.fleet, ...fleetOptions, url: serverUrl, secret: config.botSecret });
			fleet.start();
			await fleet.connected(60_000);
			return fleet;
		},
		async stopServer() {
			serverClosed = true;
			await server.close();
		},
		async startServer({ beforeListen } = {}) {
			if (!serverClosed) throw new Error('startServer() needs stopServer() first: the port is still taken');
			const next = create();
			beforeListen?.(next);
			try {
				await next.listen(serverPort, '127.0.0.1');
			} catch (err) {
				// listen() starts history and timers before it binds: do not leave them running.
				await next.close();
				throw err;
			}
			server = next;
			serverClosed = false;
			return next;
		},
		async stop() {
			fleet.stop();
			await page.stop();
			await server.close();
		}
	};
}
