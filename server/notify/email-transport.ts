import nodemailer, { type Transporter } from 'nodemailer';
import type { RenderMail } from './contract.ts';
import type { OutboxJob, SendOutcome, Transport } from './outbox.ts';

export interface EmailTransportOptions {
	/** `smtp://user:pass@host:587` or `smtps://…:465` (`SHARDBEAT_SMTP_URL`). Never logged. */
	smtpUrl: string;
	/** The `From` address (`SHARDBEAT_MAIL_FROM`), e.g. `Status <status@example.com>`. */
	from: string;
	render: RenderMail;
	/** SMTP connections kept open and used side by side. Default 5. */
	maxConnections?: number;
}

/** The domain Message-IDs are made under: the From address's. */
function fromDomain(from: string): string {
	return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'shardbeat.invalid';
}

/**
 * Mail over SMTP through a nodemailer pool. Each message's `Message-ID` is made from its notice
 * and subscriber, so a send repeated after a crash (see `Outbox`) is the same message, which
 * receivers and clients can tell. A 5xx answer (no such mailbox, refused) fails for good; a 4xx or
 * a lost connection is retried.
 */
export class EmailTransport implements Transport {
	readonly #transporter: Transporter;
	readonly #o: EmailTransportOptions;
	readonly #domain: string;

	constructor(options: EmailTransportOptions) {
		this.#o = options;
		this.#domain = fromDomain(options.from);
		this.#transporter = nodemailer.createTransport({ url: options.smtpUrl, pool: true, maxConnections: options.maxConnections ?? 5, maxMessages: Number.POSITIVE_INFINITY } as never);
	}

	async send(job: OutboxJob): Promise<SendOutcome> {
		if (job.to.kind !== 'subscriber') return { kind: 'refused', reason: 'mail goes to subscribers only' };
		const { subscriber } = job.to;
		let mail;
		try {
			mail = this.#o.render(job.notice, subscriber);
		} catch (err) {
			return { kind: 'refused', reason: `render failed: ${(err as Error).message}`.slice(0, 200) };
		}
		try {
			await this.#transporter.sendMail({
				from: this.#o.from,
				to: subscriber.target.reveal(),
				subject: mail.subject,
				text: mail.text,
				html: mail.html,
				headers: mail.headers,
				messageId: `<shardbeat.${job.noticeId}.${subscriber.id}@${this.#domain}>`
			});
			return { kind: 'sent' };
		} catch (err) {
			// Only codes: nodemailer's messages can quote the address.
			const e = err as { responseCode?: number; code?: string };
			if (typeof e.responseCode === 'number' && e.responseCode >= 500) return { kind: 'refused', reason: `SMTP ${e.responseCode}` };
			return { kind: 'retry', reason: typeof e.responseCode === 'number' ? `SMTP ${e.responseCode}` : `SMTP ${e.code ?? 'error'}` };
		}
	}

	async close(): Promise<void> {
		this.#transporter.close();
	}
}
