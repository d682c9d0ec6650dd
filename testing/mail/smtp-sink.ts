import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail the sink accepted: the envelope, and (unless fast) the parsed message. */
export interface ReceivedMail {
	/** Envelope recipients (RCPT TO), lower-cased. */
	to: string[];
	from: string;
	messageId: string;
	/** Parsed mode only. */
	subject?: string;
	text?: string;
	html?: string;
	headers?: Map<string, unknown>;
}

export interface SmtpSink {
	/** `smtp://127.0.0.1:<port>` for `SHARDBEAT_SMTP_URL` / `EmailTransport`. */
	url: string;
	mails: ReceivedMail[];
	/** Accepted mails by recipient (fast and parsed modes). */
	countFor(address: string): number;
	/** Makes the next `n` messages fail with `code` (e.g. 451 to retry, 550 to refuse). */
	failNext(n: number, code: number): void;
	/** Resolves once `n` mails in all have been accepted. */
	waitFor(n: number, timeoutMs?: number): Promise<void>;
	close(): Promise<void>;
}

/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps what it receives. Parsed
 * mode reads each message with `mailparser` (subject, text, HTML, headers); `fast` only reads the
 * envelope and the Message-ID header, for the bench's hundred thousand mails.
 */
export async function startSmtpSink(options: { fast?: boolean } = {}): Promise<SmtpSink> {
	const mails: ReceivedMail[] = [];
	const counts = new Map<string, number>();
	let failing = { n: 0, code: 0 };
	const waiters: { n: number; resolve(): void }[] = [];
	const accepted = (mail: ReceivedMail) => {
		if (!options.fast) mails.push(mail);
		else mails.push({ to: mail.to, from: mail.from, messageId: mail.messageId });
		for (const to of mail.to) counts.set(to, (counts.get(to) ?? 0) + 1);
		for (const w of waiters.filter((w) => mails.length >= w.n)) {
			waiters.splice(waiters.indexOf(w), 1);
			w.resolve();
		}
	};
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		// Loopback has no name worth a DNS query, and the query costs every new connection its wait.
		disableReverseLookup: true,
		maxClients: 100,
		// A client that never says QUIT (the pool of an instance a test "killed") is cut off after this, not 30 s.
		closeTimeout: 200,
		onAuth(_auth, _session, callback) {
			callback(null, { user: 'sink' });
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', () => {
				if (failing.n > 0) {
					failing.n--;
					const err = new Error(failing.code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & { responseCode: number };
					err.responseCode = failing.code;
					return callback(err);
				}
				const raw = Buffer.concat(chunks);
				const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
				const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
				if (options.fast) {
					const id = /^message-id:\s*(<[^>]+>)/im.exec(raw.subarray(0, 4096).toString('latin1'))?.[1] ?? '';
					accepted({ to, from, messageId: id });
					return callback();
				}
				simpleParser(raw).then(
					(parsed) => {
						accepted({ to, from, messageId: parsed.messageId ? `<${parsed.messageId.replace(/^<|>$/g, '')}>` : '', subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', headers: parsed.headers as Map<string, unknown> });
						callback();
					},
					(err: Error) => callback(err)
				);
			});
		}
	});
	// A client that vanishes mid-session (a killed server) is an ordinary event here, not a crash of the sink.
	server.on('error', () => {});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.server.address() as AddressInfo;
	return {
		url: `smtp://127.0.0.1:${port}`,
		mails,
		countFor: (address) => counts.get(address.toLowerCase()) ?? 0,
		failNext(n, code) {
			failing = { n, code };
		},
		waitFor(n, timeoutMs = 30_000) {
			if (mails.length >= n) return Promise.resolve();
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`SMTP sink: ${mails.length} of ${n} mails after ${timeoutMs} ms`)), timeoutMs);
				waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
			});
		},
		close: () => new Promise((resolve) => server.close(() => resolve()))
	};
}
