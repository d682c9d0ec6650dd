import { SignJWT, jwtVerify, errors } from 'jose';
import type { ViewerTokenResponse } from '#shared';

const ISSUER = 'shardbeat';
const AUDIENCE = 'shardbeat:viewer';

export type TokenCheck = { ok: true; expiresAt: number } | { ok: false; code: 'token_expired' | 'unauthorized'; reason: string };

/**
 * Short-lived viewer tokens (HS256 JWTs). They only gate the read-only viewer namespace, so the
 * claim set is minimal: issuer, audience, issued-at and expiry.
 */
export class ViewerTokens {
	readonly #key: Uint8Array;
	readonly #ttlMs: number;

	constructor(secret: string, ttlMs: number) {
		this.#key = new TextEncoder().encode(secret);
		this.#ttlMs = ttlMs;
	}

	async issue(now = Date.now()): Promise<ViewerTokenResponse> {
		// JWT times are whole seconds; round expiry down so `expiresAt` is never later than the real expiry.
		const exp = Math.floor((now + this.#ttlMs) / 1000);
		const token = await new SignJWT({})
			.setProtectedHeader({ alg: 'HS256' })
			.setIssuer(ISSUER)
			.setAudience(AUDIENCE)
			.setIssuedAt(Math.floor(now / 1000))
			.setExpirationTime(exp)
			.sign(this.#key);
		return { token, expiresAt: exp * 1000 };
	}

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
			return { ok: true, expiresAt: payload.exp! * 1000 };
		} catch (error) {
			if (error instanceof errors.JWTExpired) {
				return { ok: false, code: 'token_expired', reason: 'viewer token expired; fetch a new one from POST /api/token' };
			}
			return { ok: false, code: 'unauthorized', reason: 'viewer token is not valid for this server' };
		}
	}
}
