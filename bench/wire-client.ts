import WebSocket from 'ws';

/*
 * A bare Socket.IO client speaking the wire protocol directly (Engine.IO v4 over WebSocket), so
 * one load process can hold thousands of sockets and send pre-encoded frames without
 * socket.io-client's per-message work skewing what the server is measured at.
 */

/** One answer or push: its JSON text frame, total bytes on the wire (binary attachments too), arrival time. */
export interface Frame {
	text: string;
	bytes: number;
	/** performance.timeOrigin + performance.now(): comparable across processes on one machine. */
	at: number;
}

export const wallNow = () => performance.timeOrigin + performance.now();

export class WireSocket {
	readonly #ws: WebSocket;
	readonly #nsp: string;
	#nextId = 0;
	readonly #pending = new Map<number, { resolve: (f: Frame & { latencyMs: number }) => void; sentAt: number }>();
	/** A binary packet whose attachments are still arriving. */
	#partial: { frame: Frame; remaining: number; ackId: number | null } | null = null;
	onPush: ((frame: Frame) => void) | undefined;
	onClose: (() => void) | undefined;

	private constructor(ws: WebSocket, nsp: string) {
		this.#ws = ws;
		this.#nsp = nsp;
	}

	/** Opens the Engine.IO connection and joins `nsp` with `auth`; rejects on refusal. */
	static open(baseUrl: string, nsp: string, auth: object, timeoutMs = 20_000): Promise<WireSocket> {
		const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
		const socket = new WireSocket(ws, nsp);
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				ws.terminate();
				reject(new Error(`connect to ${nsp} timed out`));
			}, timeoutMs);
			let joined = false;
			ws.on('error', (e) => {
				clearTimeout(timer);
				if (!joined) reject(e);
			});
			ws.on('close', () => socket.onClose?.());
			ws.on('message', (data, isBinary) => {
				if (!joined) {
					const text = data.toString();
					if (text.startsWith('0')) ws.send(`40${nsp},${JSON.stringify(auth)}`);
					else if (text.startsWith(`40${nsp},`)) {
						joined = true;
						clearTimeout(timer);
						resolve(socket);
					} else if (text.startsWith(`44${nsp},`)) {
						clearTimeout(timer);
						ws.close();
						reject(new Error(`refused: ${text.slice(nsp.length + 3)}`));
					}
					return;
				}
				socket.#onMessage(data as Buffer, isBinary);
			});
		});
	}

	get open(): boolean {
		return this.#ws.readyState === WebSocket.OPEN;
	}

	/** Emits `event` with pre-serialised JSON arguments (`argsJson` without brackets) and awaits the ack. */
	request(event: string, argsJson: string): Promise<Frame & { latencyMs: number }> {
		const id = this.#nextId++;
		return new Promise((resolve) => {
			this.#pending.set(id, { resolve, sentAt: performance.now() });
			this.#ws.send(`42${this.#nsp},${id}["${event}"${argsJson ? `,${argsJson}` : ''}]`);
		});
	}

	get outstanding(): number {
		return this.#pending.size;
	}

	close(): void {
		this.#ws.terminate();
	}

	#onMessage(data: Buffer, isBinary: boolean): void {
		if (isBinary) {
			const partial = this.#partial;
			if (!partial) return;
			partial.frame.bytes += data.byteLength;
			if (--partial.remaining === 0) {
				this.#partial = null;
				this.#deliver(partial.frame, partial.ackId);
			}
			return;
		}
		const text = data.toString();
		if (text === '2') return void this.#ws.send('3'); // Engine.IO ping
		if (text[0] !== '4') return;
		const type = text[1];
		let i = 2;
		let attachments = 0;
		if (type === '5' || type === '6') {
			const dash = text.indexOf('-', i);
			attachments = Number(text.slice(i, dash));
			i = dash + 1;
		}
		if (text[i] === '/') i = text.indexOf(',', i) + 1;
		let ackId: number | null = null;
		if (type === '3' || type === '6') {
			let j = i;
			while (text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
			ackId = Number(text.slice(i, j));
		}
		const frame: Frame = { text, bytes: Buffer.byteLength(text), at: wallNow() };
		if (attachments > 0) this.#partial = { frame, remaining: attachments, ackId };
		else this.#deliver(frame, ackId);
	}

	#deliver(frame: Frame, ackId: number | null): void {
		if (ackId === null) return this.onPush?.(frame);
		const pending = this.#pending.get(ackId);
		if (!pending) return;
		this.#pending.delete(ackId);
		pending.resolve({ ...frame, latencyMs: performance.now() - pending.sentAt });
	}
}

/** The `"version":N` of an update, read off the front of its frame without parsing megabytes. */
export function versionOf(text: string): number | null {
	const m = /"version":(\d+)/.exec(text.length > 400 ? text.slice(0, 400) : text);
	return m ? Number(m[1]) : null;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
	const out: R[] = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) {
				const i = next++;
				out[i] = await fn(items[i]!, i);
			}
		})
	);
	return out;
}

/** p-th percentile (0–100) of `values` (sorted in place). */
export function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	values.sort((a, b) => a - b);
	return values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
}
