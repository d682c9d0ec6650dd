import { FleetReplica, type ClusterStatus, type FleetUpdate } from '#shared';
import { FleetSimulator } from '../../server/simulator/fleet-simulator.ts';
import { ViewerConnection } from '../../src/lib/status/viewer-connection.ts';

/* Measurements the fault tests assert on and `npm run bench:reliability` prints. */

export interface Spread {
	count: number;
	/** ms after the reference moment (the server answering again). */
	min: number;
	median: number;
	max: number;
	/** max − min */
	spreadMs: number;
	/** The most reconnects in any 100-ms window, and that as a share of all. */
	busiest100ms: number;
	busiestShare: number;
	/** Reconnects per 250-ms bucket from `min`. */
	histogram: number[];
}

export function spreadOf(times: number[], reference: number): Spread {
	const t = times.map((x) => x - reference).sort((a, b) => a - b);
	let busiest = 0;
	for (let i = 0, j = 0; i < t.length; i++) {
		while (t[i]! - t[j]! >= 100) j++;
		busiest = Math.max(busiest, i - j + 1);
	}
	const min = t[0] ?? 0;
	const max = t.at(-1) ?? 0;
	const histogram = Array.from({ length: Math.floor((max - min) / 250) + 1 }, () => 0);
	for (const x of t) histogram[Math.floor((x - min) / 250)]!++;
	return {
		count: t.length,
		min,
		median: t[Math.floor(t.length / 2)] ?? 0,
		max,
		spreadMs: max - min,
		busiest100ms: busiest,
		busiestShare: t.length ? busiest / t.length : 0,
		histogram
	};
}

export function formatSpread(s: Spread): string {
	const bars = s.histogram.map((n, i) => `  +${String(i * 250).padStart(5)} ms ${'█'.repeat(n)} ${n}`).join('\n');
	return (
		`${s.count} reconnects: min ${s.min} ms, median ${s.median} ms, max ${s.max} ms after the server answered again; ` +
		`spread ${s.spreadMs} ms; busiest 100-ms window ${s.busiest100ms} (${Math.round(s.busiestShare * 100)} %)\n${bars}`
	);
}

/**
 * Applies a polled or pushed update to a viewer's replica as the page does; false when the viewer
 * must ask again (a gap in versions, or data it cannot decode), which `ViewerConnection` does.
 */
export function applyUpdate(replica: FleetReplica, update: FleetUpdate): boolean {
	try {
		return replica.apply(update) !== 'gap';
	} catch {
		return false;
	}
}

/**
 * The page's own connection code (ViewerConnection + FleetReplica) watching a server: every
 * cluster it ever saw stopped, and the fleet as it holds it now. Polls on `live` like the page.
 */
export function watchFleet(serverUrl: string) {
	const replica = new FleetReplica();
	const everStopped = new Map<number, number>();
	const states: string[] = [];
	const onUpdate = (u: FleetUpdate) => {
		if (!applyUpdate(replica, u)) return false;
		for (const cl of replica.status.clusters) if (cl.lifecycle === 'stopped' && !everStopped.has(cl.id)) everStopped.set(cl.id, Date.now());
		return true;
	};
	const connection: ViewerConnection = new ViewerConnection({
		serverUrl,
		initialToken: null,
		version: () => replica.version,
		onState: (s) => {
			states.push(s);
			if (s === 'live') void connection.poll();
		},
		onUpdate
	});
	connection.start();
	// The page polls every 15 s; a watcher polls every 500 ms so nothing it could see is missed.
	const timer = setInterval(() => void connection.poll(), 500);
	return {
		replica,
		everStopped,
		states,
		clusters: (): ClusterStatus[] => replica.status.clusters,
		lifecycle: (id: number) => replica.get(id)?.lifecycle,
		poll: () => connection.poll(),
		close() {
			clearInterval(timer);
			connection.close();
		}
	};
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<number> {
	const start = Date.now();
	for (;;) {
		if (await check()) return Date.now() - start;
		if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
		await sleep(25);
	}
}

export interface SoakMeasure {
	heapUsed: number;
	rss: number;
	handles: number;
	resources: number;
	resourceKinds: Record<string, number>;
	requests: number;
	bots: number;
	viewers: number;
	clusters: number;
	version: number;
}

export interface SoakResult {
	/** Server idle, nothing connected (before the fleet). */
	idle: SoakMeasure;
	/** Fleet connected and warmed up, before churn. */
	first: SoakMeasure;
	/** Same fleet connected after the churn. */
	last: SoakMeasure;
	/** Everything disconnected again. */
	after: SoakMeasure;
	cycles: { deaths: number; revivals: number; viewerSessions: number; durationMs: number };
}

/**
 * A churn soak against a server in its own process (testing/processes/soak-server.ts, --expose-gc):
 * clusters die and come back (each revival a fresh process with a new socket) and page
 * connections open and close, for `durationMs`; the server's heap after GC and its handles are
 * measured before and after.
 */
export async function churnSoak(options: { durationMs: number; clusters: number; warmupMs: number; log?: (line: string) => void }): Promise<SoakResult> {
	const { startProcess } = await import('../processes/ipc.ts');
	const secret = 'soak-bot-secret-0123456789';
	const child = startProcess(new URL('../processes/soak-server.ts', import.meta.url), { botSecret: secret, tokenSecret: 'soak-token-secret-0123456789abcdef0123456789', heartbeatIntervalMs: 1_000, pushIntervalMs: 25 });
	const log = options.log ?? (() => undefined);
	try {
		const url = await child.call<string>('url');
		const measure = () => child.call<SoakMeasure>('measure');
		const idle = await measure();
		const fleet = new FleetSimulator({ url, secret, clusters: options.clusters, shardsPerCluster: 4, intervalMs: 1_000, tickMs: 250, reconnectChance: 0.02, deathChance: 0, seed: 21 });
		fleet.start();
		await fleet.connected(30_000);
		// Warm-up: JIT, the feed's 240-version memory filled (25-ms batches), socket buffers sized.
		const viewers = [watchFleet(url), watchFleet(url)];
		await sleep(options.warmupMs);
		const first = await measure();
		log(`soak: first ${fmtMb(first.heapUsed)} heap after GC, ${first.resources} resources, ${first.bots} bots, ${first.viewers} viewers`);

		const dead = new Set<number>();
		let deaths = 0;
		let revivals = 0;
		let viewerSessions = 0;
		let n = 0;
		const started = Date.now();
		while (Date.now() - started < options.durationMs) {
			n++;
			const id = (n * 7) % options.clusters;
			if (dead.has(id)) {
				fleet.revive(id);
				dead.delete(id);
				revivals++;
			} else if (dead.size < options.clusters / 4) {
				fleet.kill(id);
				dead.add(id);
				deaths++;
			}
			if (n % 5 === 0) {
				viewers.shift()!.close();
				viewers.push(watchFleet(url));
				viewerSessions++;
			}
			await sleep(100);
		}
		for (const id of dead) fleet.revive(id), revivals++;
		await fleet.connected(30_000);
		await sleep(2_000);
		const last = await measure();
		log(`soak: last ${fmtMb(last.heapUsed)} heap after GC, ${last.resources} resources, ${last.bots} bots, ${last.viewers} viewers`);

		fleet.stop();
		for (const v of viewers) v.close();
		// Let the server see every disconnect, then measure with nothing connected, as at the start.
		let after = await measure();
		for (let i = 0; i < 40 && (after.bots > 0 || after.viewers > 0 || lasting(after) > lasting(idle)); i++) {
			await sleep(250);
			after = await measure();
		}
		const mine = (process as unknown as { _getActiveHandles(): { localPort?: number; remotePort?: number; constructor: { name: string } }[] })._getActiveHandles()
			.filter((h) => h.localPort !== undefined)
			.map((h) => `${h.constructor.name}:${h.localPort}->${h.remotePort}`);
		log(`soak: server sockets ${JSON.stringify((after as SoakMeasure & { sockets?: string[] }).sockets)}; ours ${JSON.stringify(mine)}`);
		log(`soak: after ${fmtMb(after.heapUsed)} heap after GC, ${after.resources} resources (idle ${idle.resources}: ${JSON.stringify(idle.resourceKinds)} → ${JSON.stringify(after.resourceKinds)})`);
		return { idle, first, last, after, cycles: { deaths, revivals, viewerSessions, durationMs: Date.now() - started } };
	} finally {
		await child.stop();
	}
}

/** Resources that keep a process alive, without the setImmediate that may be queued at the moment of measuring. */
export const lasting = (m: SoakMeasure) => m.resources - (m.resourceKinds.Immediate ?? 0);

export const fmtMb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
