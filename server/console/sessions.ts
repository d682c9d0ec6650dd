import { createHash, randomBytes } from 'node:crypto';
import type { AuditActor, ConsoleMe, ConsoleRole, ConsoleUser, LoginMethod } from '#shared';
import type { ConsoleRepository, StoredSession } from './console-repository.ts';

/*
 * Console sessions: an opaque random token in an HttpOnly cookie, of which the database keeps
 * only the SHA-256. Checked on every request against both expiries, so logout, revocation and
 * expiry take effect at the next request, on every instance.
 */

export interface SessionPolicy {
	idleMs: number;
	ttlMs: number;
}

/** The SHA-256 of a session token, as stored. */
export function hashToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

/** Why a cookie opened no session. */
export type SessionRefusal = 'no_session' | 'session_expired' | 'session_unknown';

/** A session's state at `now`: valid, or past which expiry. */
export function sessionExpiry(s: Pick<StoredSession, 'expiresAt' | 'lastSeenAt'>, now: number, policy: SessionPolicy): 'valid' | 'absolute' | 'idle' {
	if (now >= s.expiresAt) return 'absolute';
	if (now - s.lastSeenAt >= policy.idleMs) return 'idle';
	return 'valid';
}

export class Sessions {
	constructor(
		private readonly repo: () => ConsoleRepository,
		readonly policy: SessionPolicy
	) {}

	/** Opens a session; returns the cookie's token (shown to no one else, stored only hashed) and the session. */
	async open(user: ConsoleUser, role: ConsoleRole, method: LoginMethod, from: { ip: string; userAgent: string }, now: number): Promise<{ token: string; session: StoredSession }> {
		const token = randomBytes(32).toString('base64url');
		const session: StoredSession = {
			id: randomBytes(12).toString('base64url'),
			tokenHash: hashToken(token),
			csrfToken: randomBytes(24).toString('base64url'),
			method,
			discordId: user.discordId,
			name: user.name.slice(0, 100),
			avatarUrl: user.avatarUrl,
			role,
			createdAt: now,
			lastSeenAt: now,
			expiresAt: now + this.policy.ttlMs,
			ip: from.ip,
			userAgent: from.userAgent.slice(0, 200)
		};
		await this.repo().createSession(session);
		return { token, session };
	}

	/** The session a cookie's token opens at `now` (and marks it used), or why not. Expired sessions are deleted. */
	async check(token: string | undefined, now: number): Promise<{ ok: true; session: StoredSession } | { ok: false; code: SessionRefusal }> {
		if (!token) return { ok: false, code: 'no_session' };
		const repo = this.repo();
		const session = await repo.sessionByTokenHash(hashToken(token));
		if (!session) return { ok: false, code: 'session_unknown' };
		if (sessionExpiry(session, now, this.policy) !== 'valid') {
			await repo.deleteSession(session.id);
			return { ok: false, code: 'session_expired' };
		}
		await repo.touchSession(session.id, now);
		return { ok: true, session: { ...session, lastSeenAt: now } };
	}

	/** Whether session `id` is still valid at `now` (for sockets opened with its live tokens). */
	async alive(id: string, now: number): Promise<boolean> {
		const session = await this.repo().sessionById(id);
		return session !== undefined && sessionExpiry(session, now, this.policy) === 'valid';
	}
}

/** What `/me` answers for a session. */
export function me(s: StoredSession, policy: SessionPolicy): ConsoleMe {
	return {
		user: { discordId: s.discordId, name: s.name, avatarUrl: s.avatarUrl },
		role: s.role,
		method: s.method,
		sessionId: s.id,
		csrfToken: s.csrfToken,
		createdAt: s.createdAt,
		expiresAt: s.expiresAt,
		idleExpiresAt: Math.min(s.expiresAt, s.lastSeenAt + policy.idleMs)
	};
}

/** The audit log's name for a session. */
export function sessionActor(s: StoredSession): AuditActor {
	return { kind: 'session', sessionId: s.id, method: s.method, discordId: s.discordId, name: s.name, role: s.role };
}
