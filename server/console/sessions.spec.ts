import { describe, expect, it } from 'vitest';
import { sessionExpiry } from './sessions.ts';

const policy = { idleMs: 60_000, ttlMs: 600_000 };

describe('sessionExpiry', () => {
	it.each([
		// [createdAt-relative lastSeenAt, now, expiresAt, expected]
		[{ lastSeenAt: 0, expiresAt: 600_000 }, 0, 'valid'],
		[{ lastSeenAt: 0, expiresAt: 600_000 }, 59_999, 'valid'],
		[{ lastSeenAt: 0, expiresAt: 600_000 }, 60_000, 'idle'],
		[{ lastSeenAt: 550_000, expiresAt: 600_000 }, 599_999, 'valid'],
		// Used a moment ago, but the absolute expiry wins.
		[{ lastSeenAt: 599_000, expiresAt: 600_000 }, 600_000, 'absolute'],
		[{ lastSeenAt: 0, expiresAt: 600_000 }, 700_000, 'absolute']
	] as const)('%j at %i is %s', (session, now, expected) => {
		expect(sessionExpiry(session, now, policy)).toBe(expected);
	});
});
