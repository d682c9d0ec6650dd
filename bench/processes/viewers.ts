import { childOptions, serveCommands } from '../ipc.ts';
import { pool, versionOf, WireSocket, type Frame } from '../wire-client.ts';

/*
 * Viewer load: thousands of sockets that poll like the page does (carrying their version, or
 * nothing for the naive server) and track pushes, recording latency and bytes per answer.
 */
const { url, naive } = childOptions<{ url: string; naive?: boolean }>();

interface Viewer {
	socket: WireSocket;
	version: number;
}
const viewers: Viewer[] = [];
/** version → sockets that received its push, and when the last of them did. */
let pushes = new Map<number, { count: number; lastAt: number }>();
let token = '';

function track(viewer: Viewer, frame: Frame): void {
	const v = versionOf(frame.text);
	if (v === null) return;
	const from = /"from":(\d+)/.exec(frame.text.slice(0, 400));
	// A push applies when the viewer holds a version in [from, version).
	if (from && Number(from[1]) <= viewer.version && viewer.version < v) viewer.version = v;
	const seen = pushes.get(v) ?? { count: 0, lastAt: 0 };
	seen.count++;
	seen.lastAt = Math.max(seen.lastAt, frame.at);
	pushes.set(v, seen);
}

async function poll(viewer: Viewer) {
	const args = naive ? '' : viewer.version > 0 ? `{"since":${viewer.version}}` : '{}';
	const reply = await viewer.socket.request('get-cluster-status', args);
	const v = versionOf(reply.text);
	if (v !== null && v > viewer.version && !reply.text.includes('"kind":"unchanged"')) viewer.version = v;
	const kind = /"kind":"(\w+)"/.exec(reply.text.slice(0, 200))?.[1] ?? 'json';
	return { latencyMs: reply.latencyMs, bytes: reply.bytes, kind };
}

function summarise(results: { latencyMs: number; bytes: number; kind: string }[]) {
	const kinds: Record<string, number> = {};
	for (const r of results) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
	return { latencies: results.map((r) => r.latencyMs), bytes: results.reduce((n, r) => n + r.bytes, 0), kinds };
}

serveCommands({
	/** Opens `count` more viewer sockets; new ones start at the version the first one fetched. */
	connect: async ({ count }) => {
		if (!naive && !token) {
			const res = await fetch(`${url}/api/token`, { method: 'POST' });
			token = ((await res.json()) as { token: string }).token;
		}
		const fresh = await pool(Array.from({ length: Number(count) }, (_, i) => i), 100, async () => {
			const socket = await WireSocket.open(url, '/viewer', naive ? {} : { token });
			const viewer: Viewer = { socket, version: 0 };
			socket.onPush = (frame) => track(viewer, frame);
			return viewer;
		});
		// The first viewer loads the whole fleet once; the rest are pages already open at that version.
		const first = viewers[0] ?? fresh[0]!;
		if (first.version === 0 && !naive) await poll(first);
		for (const v of fresh) v.version = Math.max(v.version, first.version);
		viewers.push(...fresh);
		return { viewers: viewers.length };
	},
	disconnect: ({ keep }) => {
		for (const v of viewers.splice(Number(keep))) v.socket.close();
		return { viewers: viewers.length };
	},
	/** Every viewer polls once per `intervalMs` (random phase) for `durationMs`. */
	paced: async ({ intervalMs, durationMs }) => {
		const results: { latencyMs: number; bytes: number; kind: string }[] = [];
		const end = performance.now() + Number(durationMs);
		await Promise.all(
			viewers.map(async (viewer) => {
				let at = performance.now() + Math.random() * Number(intervalMs);
				while (at < end) {
					await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
					results.push(await poll(viewer));
					at += Number(intervalMs);
				}
			})
		);
		return summarise(results);
	},
	/** `concurrency` polls always in flight, round-robin over the viewers, for `durationMs`. */
	saturate: async ({ concurrency, durationMs }) => {
		const results: { latencyMs: number; bytes: number; kind: string }[] = [];
		const end = performance.now() + Number(durationMs);
		let next = 0;
		const started = performance.now();
		await Promise.all(
			Array.from({ length: Number(concurrency) }, async () => {
				while (performance.now() < end) results.push(await poll(viewers[next++ % viewers.length]!));
			})
		);
		return { ...summarise(results), seconds: (performance.now() - started) / 1000 };
	},
	'pushes-reset': () => {
		pushes = new Map();
		return true;
	},
	pushes: () => Object.fromEntries(pushes)
});
