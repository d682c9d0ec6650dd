import { constants, createDeflate, deflateSync } from 'node:zlib';

/*
 * How the stand-in gateway puts a payload on the wire, per connection, as Discord does:
 * - `json`: a text frame per payload (no compression asked for);
 * - `zlib-stream` (`?compress=zlib-stream`): one zlib context for the whole connection, each
 *   payload flushed with Z_SYNC_FLUSH, so every binary frame ends in 00 00 ff ff;
 * - `payload` (IDENTIFY with `compress: true`): each payload deflated on its own, binary frames.
 */

/** The transport compression of one connection. */
export type WireCompression = 'json' | 'zlib-stream' | 'payload';

/** Encodes payloads for one connection, in order: the zlib stream's frames must go out as flushed. */
export interface WireEncoder {
	compression: WireCompression;
	encode(text: string): Promise<string | Buffer>;
	close(): void;
}

/** An encoder for `compression`; a `zlib-stream` one holds its zlib context until `close()`. */
export function wireEncoder(compression: WireCompression): WireEncoder {
	if (compression === 'json') return { compression, encode: async (text) => text, close: () => undefined };
	if (compression === 'payload') return { compression, encode: async (text) => deflateSync(text), close: () => undefined };
	const deflate = createDeflate();
	let chunks: Buffer[] = [];
	deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
	let tail: Promise<unknown> = Promise.resolve();
	return {
		compression,
		encode(text) {
			const frame = tail.then(
				() =>
					new Promise<Buffer>((resolve) => {
						deflate.write(text);
						deflate.flush(constants.Z_SYNC_FLUSH, () => {
							const out = Buffer.concat(chunks);
							chunks = [];
							resolve(out);
						});
					})
			);
			tail = frame;
			return frame;
		},
		close: () => deflate.destroy()
	};
}
