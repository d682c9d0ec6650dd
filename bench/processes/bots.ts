import { BENCH_BOT_SECRET, benchHeartbeat } from '../fleet-shape.ts';
import { childOptions, serveCommands } from '../ipc.ts';
import { pool, wallNow, WireSocket } from '../wire-client.ts';

/* Bot load: clusters reporting over real sockets, pre-encoded so the load costs little itself. */
const { url } = childOptions<{ url: string }>();
const open = () => WireSocket.open(url, '/bot', { secret: BENCH_BOT_SECRET });

let steady: { sockets: WireSocket[]; timers: { first: ReturnType<typeof setTimeout>; timer: { id?: ReturnType<typeof setInterval> } }[] } | undefined;
/** Steady heartbeats since the last `steady-acks`: each one's ack latency, ms, and how many were refused or unanswered. */
let acks: number[] = [];
let notOk = 0;
let marker: WireSocket | undefined;

serveCommands({
	/** Every socket keeps `window` heartbeats in flight for `durationMs`; one cluster per socket. */
	flood: async ({ sockets, shardsPerCluster, window, durationMs, firstCluster }) => {
		const k = Number(shardsPerCluster);
		const n = Number(sockets);
		const total = (Number(firstCluster) + n) * k;
		const conns = await pool(Array.from({ length: n }, (_, i) => i), 50, () => open());
		const variants = conns.map((_, i) => Array.from({ length: 8 }, (_, v) => JSON.stringify(benchHeartbeat(Number(firstCluster) + i, k, total, v + 1))));
		let acked = 0;
		let refused = 0;
		const deadline = performance.now() + Number(durationMs);
		await Promise.all(
			conns.flatMap((socket, i) =>
				Array.from({ length: Number(window) }, async (_, w) => {
					let v = w;
					while (performance.now() < deadline && socket.open) {
						const reply = await socket.request('heartbeat', variants[i]![v++ % 8]!);
						if (reply.text.includes('"ok":true')) acked++;
						else refused++;
					}
				})
			)
		);
		for (const s of conns) s.close();
		return { acked, refused };
	},
	/** One socket per cluster, each heartbeating every `intervalMs` with drifting pings. */
	'steady-start': async ({ clusters, shardsPerCluster, intervalMs, firstCluster = 0 }) => {
		const k = Number(shardsPerCluster);
		const ids = Array.from({ length: Number(clusters) }, (_, i) => Number(firstCluster) + i);
		const total = (Number(firstCluster) + ids.length) * k;
		const sockets = await pool(ids, 100, () => open());
		const timers = sockets.map((socket, i) => {
			let variant = 1 + i;
			const beat = () =>
				void socket.request('heartbeat', JSON.stringify(benchHeartbeat(ids[i]!, k, total, variant++))).then((reply) => {
					if (reply.text.includes('"ok":true')) acks.push(reply.latencyMs);
					else notOk++;
				});
			// Spread the fleet over the interval the way independent processes would be: each socket's
			// interval starts at its own random phase (started together, they would all beat at once).
			const timer: { id?: ReturnType<typeof setInterval> } = {};
			const first = setTimeout(() => {
				beat();
				timer.id = setInterval(beat, Number(intervalMs));
			}, Math.random() * Number(intervalMs));
			return { first, timer };
		});
		steady = { sockets, timers };
		return { sockets: sockets.length };
	},
	/** Ack latencies of the steady heartbeats since the last call (and sockets still open). */
	'steady-acks': () => {
		const out = { latencies: acks, notOk, open: steady?.sockets.filter((s) => s.open).length ?? 0 };
		acks = [];
		notOk = 0;
		return out;
	},
	'steady-stop': () => {
		for (const t of steady?.timers ?? []) {
			clearTimeout(t.first);
			clearInterval(t.timer.id);
		}
		for (const s of steady?.sockets ?? []) s.close();
		steady = undefined;
		return true;
	},
	/** One heartbeat that changes a cluster, timestamped on the shared clock. */
	mark: async ({ clusterId, shardsPerCluster, totalShards, variant }) => {
		marker ??= await open();
		const sentAt = wallNow();
		const reply = await marker.request('heartbeat', JSON.stringify(benchHeartbeat(Number(clusterId), Number(shardsPerCluster), Number(totalShards), Number(variant))));
		return { sentAt, ok: reply.text.includes('"ok":true') };
	}
});
