import { describe, expect, it } from 'vitest';
import { DiscordOAuth, LoginStateCodec, sameState } from './discord-login.ts';

const state = { state: 'the-state', verifier: 'the-verifier', redirect: 'http://page.test/admin/', expiresAt: 10_000 };

describe('LoginStateCodec', () => {
	const codec = new LoginStateCodec('a-token-secret-of-at-least-32-chars!!');

	it('reads back what it sealed until it expires', () => {
		const sealed = codec.seal(state);
		expect(codec.open(sealed, 9_999)).toEqual({ ok: true, state });
		expect(codec.open(sealed, 10_000)).toEqual({ ok: false, code: 'login_expired' });
	});

	it.each<[string, (sealed: string) => string | undefined, string]>([
		['no cookie', () => undefined, 'login_expired'],
		['a payload changed under its signature', (s) => `${Buffer.from(JSON.stringify(['the-state', 'the-verifier', 'https://evil.example/', 10_000])).toString('base64url')}.${s.split('.')[1]}`, 'state_mismatch'],
		['a signature changed', (s) => `${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`, 'state_mismatch'],
		['no signature', (s) => s.split('.')[0], 'state_mismatch'],
		['an extra part', (s) => `${s}.x`, 'state_mismatch'],
		["another server's seal", () => new LoginStateCodec('another-token-secret-of-32-chars-!!').seal(state), 'state_mismatch']
	])('refuses %s', (_, change, code) => {
		expect(codec.open(change(codec.seal(state)), 0)).toEqual({ ok: false, code });
	});
});

describe('sameState', () => {
	it.each([
		['abc', 'abc', true],
		['abc', 'abd', false],
		['', 'abc', false],
		['abc', 'abcd', false]
	])('%j vs %j: %s', (a, b, same) => expect(sameState(a, b)).toBe(same));
});

describe('DiscordOAuth.begin', () => {
	it('asks for identify only, with state and an S256 challenge of a fresh verifier each time', () => {
		const oauth = new DiscordOAuth({ clientId: '300000000000000001', clientSecret: 'secret-secret-secret', baseUrl: 'https://discord.com/api', redirectUri: 'https://api.example.com/api/v1/console/login/discord/callback' });
		const a = oauth.begin();
		const b = oauth.begin();
		expect(a.url.origin + a.url.pathname).toBe('https://discord.com/api/oauth2/authorize');
		expect(Object.fromEntries(a.url.searchParams)).toMatchObject({
			response_type: 'code',
			client_id: '300000000000000001',
			redirect_uri: 'https://api.example.com/api/v1/console/login/discord/callback',
			scope: 'identify',
			state: a.state,
			code_challenge_method: 'S256'
		});
		expect(a.url.searchParams.get('code_challenge')).not.toContain(a.verifier);
		expect(a.state).not.toBe(b.state);
		expect(a.verifier).not.toBe(b.verifier);
		// The secret never rides in the URL.
		expect(a.url.href).not.toContain('secret-secret');
	});
});
