import { createHash, createHmac } from 'node:crypto';
import { secretsEqual } from '../auth/secret.ts';

/*
 * The secrets in a subscriber's links. The outbox renders a mail when it sends it, long after
 * the subscriber was stored, and nothing secret is kept for it: each link's token is an HMAC,
 * under a key only the server knows, of what the subscriber row already says (its kind, the hash
 * of its address, when it was created). So a token is unguessable without the key, the same on
 * every instance and in every mail, and the database keeps only its sha256 (`token_hash`,
 * `confirm_token_hash`): a stolen database opens no subscription. Subscribing again after
 * leaving makes a new row, so old links stay dead.
 */

/** What a link does: confirm the double opt-in, or manage (change scope, unsubscribe). */
export type LinkPurpose = 'confirm' | 'manage';

/** The row facts a token is made from; the store's `Subscriber` has them. */
export interface LinkSubject {
	kind: string;
	/** sha256 hex of the normalised address or webhook URL. */
	targetHash: string;
	createdAt: number;
}

/** Makes and checks subscription link tokens under one key. */
export class SubscriptionLinks {
	readonly #key: Buffer;

	/** `secret`: `SHARDBEAT_TOKEN_SECRET` (the same on every instance); a key of its own is derived from it. */
	constructor(secret: string) {
		this.#key = createHmac('sha256', secret).update('shardbeat subscription links v1').digest();
	}

	/** The token for `purpose`: 43 URL-safe characters. */
	token(purpose: LinkPurpose, subject: LinkSubject): string {
		return createHmac('sha256', this.#key).update(`${purpose}\n${subject.kind}\n${subject.targetHash}\n${subject.createdAt}`).digest('base64url');
	}

	/** True when `given` is this subject's token (constant time). */
	matches(given: string, purpose: LinkPurpose, subject: LinkSubject): boolean {
		return secretsEqual(given, this.token(purpose, subject));
	}
}

/** sha256 hex: what the database keeps of a token, and what it is looked up by. */
export function hashToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

/** A token as it arrives in a URL or form: 43 base64url characters, nothing else is even looked up. */
export const TOKEN_FORM = /^[A-Za-z0-9_-]{43}$/;
