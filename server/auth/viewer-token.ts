import { SignJWT, jwtVerify, errors } from 'jose';
import type { ViewerTokenResponse } from '#shared';

const ISSUER = 'shardbeat';
const AUDIENCE = 'shardbeat:viewer';

/** What a viewer token lets its holder see: `operator` includes per-shard detail in `basic` mode. */
export type ViewerScope = 'public' | 'operator';

export type TokenCheck = { ok: true; expiresAt: number; scope: ViewerScope; sessionId?: string } | { ok: false; code: 'token_expired' | 'unauthorized'; reason: string };

/**
 * Short-lived viewer tokens (HS256 JWTs). They only gate the read-only viewer namespace, so the
 * claim set is minimal: issuer, audience, issued-at, expiry, and `scope: 'operator'` on tokens
 * minted with the operator secret. The scope is signed, so a public token cannot claim it.
 */
export class ViewerTokens {
	readonly #key: Uint8Array;
	readonly #ttlMs: number;

	constructor(secret: string, ttlMs: number) {
		this.#key = new TextEncoder().encode(secret);
		this.#ttlMs = ttlMs;
	}

	/**
	 * A token valid for the configured lifetime from `now`, with `scope` (default public).
	 * `sessionId`: minted for a console session, whose end disconnects the sockets it opened.
	 */
	async issue(now = Date.now(), scope: ViewerScope = 'public', sessionId?: string): Promise<ViewerTokenResponse> {
		// JWT times are whole seconds; round expiry down so `expiresAt` is never later than the real expiry.
		const exp = Math.floor((now + this.#ttlMs) / 1000);
		const token = await new SignJWT({ ...(scope === 'operator' ? { scope } : {}), ...(sessionId ? { sid: sessionId } : {}) })
			.setProtectedHeader({ alg: 'HS256' })
			.setIssuer(ISSUER)
			.setAudience(AUDIENCE)
			.setIssuedAt(Math.floor(now / 1000))
			.setExpirationTime(exp)
			.sign(this.#key);
		return { token, expiresAt: exp * 1000 };
	}

	/** Checks signature, algorithm, issuer, audience and expiry; never throws. */
	async verify(token: unknown, now = Date.now()): Promise<TokenCheck> {
		if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
			return { ok: false, code: 'unauthorized', reason: 'no viewer token; fetch one from POST /api/token' };
		}
		try {
			const { payload } = await jwtVerify(token, this.#key, {
				issuer: ISSUER,
				audience: AUDIENCE,
				algorithms: ['HS256'],
				currentDate: new Date(now),
				requiredClaims: ['exp']
			});
			const sessionId = typeof payload.sid === 'string' ? { sessionId: payload.sid } : {};
			return { ok: true, expiresAt: payload.exp! * 1000, scope: payload.scope === 'operator' ? 'operator' : 'public', ...sessionId };
		} catch (error) {
			if (error instanceof errors.JWTExpired) {
				return { ok: false, code: 'token_expired', reason: 'viewer token expired; fetch a new one from POST /api/token' };
			}
			return { ok: false, code: 'unauthorized', reason: 'viewer token is not valid for this server' };
		}
	}
}
