import { connect, type Socket } from 'node:net';
import { setPriority } from 'node:os';
import WebSocket from 'ws';
import { childOptions, serveCommands } from '../ipc.ts';

/*
 * Flood load for `npm run bench:reliability -- --floods-only`: HTTP requests as fast as keep-alive
 * connections carry them (raw sockets, pre-built requests, so the flood costs this process little),
 * slowloris connections and idle Engine.IO connections. Every request can carry a different
 * `X-Forwarded-For`: behind a trusting proxy (`SHARDBEAT_TRUST_PROXY=1`) that is a botnet of as many
 * addresses. This process lowers its own priority so the well-behaved clients sharing its core
 * (the viewer and the bots being measured) are scheduled first; the server, alone on its core,
 * still gets all the load this core can make.
 */
const { url } = childOptions<{ url: string }>();
const { hostname, port } = new URL(url);
try {
	setPriority(15);
} catch {
	// not allowed here: the measurement is then a little pessimistic
}

let seq = 1;
/** A different address each call: 10.x.y.z, walking through 16 million. */
const nextAddress = () => {
	const n = seq++;
	return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One keep-alive connection sending `make()`'s requests one after another until `deadline`; reconnects when the server closes it. */
async function requestLoop(make: () => string, deadline: number, answers: Record<string, number>): Promise<void> {
	while (performance.now() < deadline) {
		await new Promise<void>((done) => {
			const socket = connect({ host: hostname, port: Number(port) });
			let buffer: Buffer = Buffer.alloc(0);
			let finished = false;
			const finish = () => {
				if (finished) return;
				finished = true;
				socket.destroy();
				done();
			};
			const send = () => {
				if (performance.now() >= deadline) return finish();
				socket.write(make());
			};
			socket.on('connect', send);
			socket.on('error', () => {
				answers['error'] = (answers['error'] ?? 0) + 1;
				finish();
			});
			socket.on('close', finish);
			socket.on('data', (chunk: Buffer) => {
				buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
				for (;;) {
					const end = buffer.indexOf('\r\n\r\n');
					if (end < 0) return;
					const head = buffer.subarray(0, end).toString('latin1');
					const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
					if (buffer.length < end + 4 + length) return;
					buffer = buffer.subarray(end + 4 + length);
					const status = head.slice(9, 12);
					answers[status] = (answers[status] ?? 0) + 1;
					if (/\r\nconnection:\s*close/i.test(head)) return finish();
					send();
				}
			});
		});
		if (performance.now() < deadline) await sleep(5);
	}
}

serveCommands({
	/**
	 * `connections` keep-alive connections, each with one request in flight, for `durationMs`.
	 * `paths` are cycled; `{tz}` and `{cluster}` in a path are replaced by a random zone and
	 * cluster id; `botnet`: every request from a different forwarded address.
	 */
	http: async ({ method = 'GET', paths, connections, durationMs, botnet, zones = ['UTC'], clusters = 1 }) => {
		const list = paths as string[];
		const tz = zones as string[];
		let i = 0;
		const make = () => {
			const path = list[i++ % list.length]!
				.replace('{tz}', encodeURIComponent(tz[Math.floor(Math.random() * tz.length)]!))
				.replace('{cluster}', String(Math.floor(Math.random() * Number(clusters))));
			return `${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\n${botnet ? `X-Forwarded-For: ${nextAddress()}\r\n` : ''}${method === 'POST' ? 'Content-Length: 0\r\n' : ''}\r\n`;
		};
		const answers: Record<string, number> = {};
		const deadline = performance.now() + Number(durationMs);
		await Promise.all(Array.from({ length: Number(connections) }, () => requestLoop(make, deadline, answers)));
		return { answers };
	},
	/**
	 * `count` slowloris connections, each from its own address (127.2.x.y: every 127/8 address is
	 * this machine), sending a request's headers one line every `lineEveryMs` and never finishing
	 * them; each one the server closes is opened again at once, so `count` are always attempted.
	 */
	slowloris: async ({ count, durationMs, lineEveryMs = 2_000 }) => {
		const deadline = performance.now() + Number(durationMs);
		let opened = 0;
		let closedByServer = 0;
		let failed = 0;
		const lifetimes: number[] = [];
		const sockets = new Set<Socket>();
		const open = (n: number) => {
			if (performance.now() >= deadline) return;
			const socket = connect({ host: hostname, port: Number(port), localAddress: `127.2.${(n >> 8) & 255}.${(n & 255) || 1}` });
			sockets.add(socket);
			const at = performance.now();
			let timer: ReturnType<typeof setInterval> | undefined;
			socket.on('connect', () => {
				opened++;
				socket.write(`GET /api/status HTTP/1.1\r\nHost: ${hostname}\r\n`);
				timer = setInterval(() => socket.write(`X-Slow-${Math.floor(Math.random() * 1e6)}: 1\r\n`), Number(lineEveryMs));
			});
			socket.on('error', () => failed++);
			socket.on('close', () => {
				clearInterval(timer);
				sockets.delete(socket);
				if (performance.now() < deadline) {
					closedByServer++;
					lifetimes.push(performance.now() - at);
					setTimeout(() => open(n), 10);
				}
			});
		};
		for (let n = 0; n < Number(count); n++) {
			open(n);
			if (n % 100 === 99) await sleep(10);
		}
		await sleep(Math.max(0, deadline - performance.now()));
		const held = sockets.size;
		for (const s of sockets) s.destroy();
		lifetimes.sort((a, b) => a - b);
		return { opened, closedByServer, failed, heldAtEnd: held, medianLifetimeMs: Math.round(lifetimes[Math.floor(lifetimes.length / 2)] ?? 0) };
	},
	/**
	 * `count` Engine.IO connections (WebSocket) that answer pings and never join a namespace, each
	 * forwarded from its own address when `botnet`; each the server closes is opened again.
	 */
	'idle-eio': async ({ count, durationMs, botnet }) => {
		const deadline = performance.now() + Number(durationMs);
		let opened = 0;
		let refused = 0;
		let closedByServer = 0;
		const sockets = new Set<WebSocket>();
		const open = () => {
			if (performance.now() >= deadline) return;
			const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
				perMessageDeflate: false,
				headers: botnet ? { 'X-Forwarded-For': nextAddress() } : {}
			});
			sockets.add(ws);
			let wasOpen = false;
			ws.on('open', () => {
				wasOpen = true;
				opened++;
			});
			ws.on('message', (data) => {
				if (data.toString() === '2') ws.send('3');
			});
			ws.on('error', () => {});
			ws.on('close', () => {
				sockets.delete(ws);
				if (performance.now() >= deadline) return;
				if (wasOpen) closedByServer++;
				else refused++;
				setTimeout(open, wasOpen ? 10 : 250);
			});
		};
		for (let n = 0; n < Number(count); n++) {
			open();
			if (n % 100 === 99) await sleep(20);
		}
		await sleep(Math.max(0, deadline - performance.now()));
		const held = [...sockets].filter((s) => s.readyState === WebSocket.OPEN).length;
		for (const s of sockets) s.terminate();
		return { opened, refused, closedByServer, heldAtEnd: held };
	}
});
