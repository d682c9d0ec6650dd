import { CodeChallengeMethod, generateCodeVerifier, OAuth2Client, OAuth2RequestError } from 'arctic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordOAuth, type DiscordOAuthStandIn } from './oauth.ts';

const CLIENT_ID = '300000000000000001';
const SECRET = 'stand-in-client-secret-0123';
const CALLBACK = 'http://127.0.0.1:1/callback';
const ALICE = { id: '400000000000000001', username: 'alice', global_name: 'Alice', avatar: null };

let discord: DiscordOAuthStandIn;
beforeAll(async () => {
	discord = await startDiscordOAuth({ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: () => [CALLBACK] });
});
afterAll(() => discord.close());

/** Arctic's client (what the server uses) through the authorize redirect, as a browser would follow it. */
async function authorize(client = new OAuth2Client(CLIENT_ID, SECRET, CALLBACK), verifier = generateCodeVerifier()) {
	const url = client.createAuthorizationURLWithPKCE(`${discord.baseUrl}/oauth2/authorize`, 'the-state', CodeChallengeMethod.S256, verifier, ['identify']);
	const res = await fetch(url, { redirect: 'manual' });
	return { res, location: res.headers.get('location') ? new URL(res.headers.get('location')!) : undefined, verifier, client };
}

const refusal = (p: Promise<unknown>) =>
	p.then(
		() => 'accepted',
		(e: unknown) => (e instanceof OAuth2RequestError ? e.code : String(e))
	);

describe('the stand-in Discord OAuth2', () => {
	it('redirects back with a code and the state, redeems the code once with the right verifier, and tells who the token is', async () => {
		discord.user = ALICE;
		const { res, location, verifier, client } = await authorize();
		expect(res.status).toBe(302);
		expect(location!.origin + location!.pathname).toBe(CALLBACK);
		expect(location!.searchParams.get('state')).toBe('the-state');
		const code = location!.searchParams.get('code')!;
		const tokens = await client.validateAuthorizationCode(`${discord.baseUrl}/oauth2/token`, code, verifier);
		const me = await fetch(`${discord.baseUrl}/users/@me`, { headers: { Authorization: `Bearer ${tokens.accessToken()}` } });
		expect(await me.json()).toMatchObject(ALICE);
		// The same code again: refused, even with everything else right.
		expect(await refusal(client.validateAuthorizationCode(`${discord.baseUrl}/oauth2/token`, code, verifier))).toBe('invalid_grant');
	});

	it('refuses a verifier that does not match the challenge, and burns the code', async () => {
		discord.user = ALICE;
		const { location, verifier, client } = await authorize();
		const code = location!.searchParams.get('code')!;
		expect(await refusal(client.validateAuthorizationCode(`${discord.baseUrl}/oauth2/token`, code, generateCodeVerifier()))).toBe('invalid_grant');
		expect(await refusal(client.validateAuthorizationCode(`${discord.baseUrl}/oauth2/token`, code, verifier))).toBe('invalid_grant');
	});

	it('refuses a wrong client secret and a redirect_uri other than the authorized one', async () => {
		discord.user = ALICE;
		const a = await authorize();
		const wrongSecret = new OAuth2Client(CLIENT_ID, 'not-the-secret-0123456', CALLBACK);
		expect(await refusal(wrongSecret.validateAuthorizationCode(`${discord.baseUrl}/oauth2/token`, a.location!.searchParams.get('code')!, a.verifier))).toBe('invalid_client');
		const b = await authorize();
		const otherRedirect = new OAuth2Client(CLIENT_ID, SECRET, 'http://127.0.0.1:1/elsewhere');
		expect(await refusal(otherRedirect.validateAuthorizationCode(`${discord.baseUrl}/oauth2/token`, b.location!.searchParams.get('code')!, b.verifier))).toBe('invalid_grant');
	});

	it('shows an error page, not a redirect, for an unregistered redirect URI; redirects access_denied when the user cancels', async () => {
		discord.user = ALICE;
		const unregistered = await authorize(new OAuth2Client(CLIENT_ID, SECRET, 'https://evil.example/steal'));
		expect(unregistered.res.status).toBe(400);
		discord.user = null;
		const cancelled = await authorize();
		expect(cancelled.location!.searchParams.get('error')).toBe('access_denied');
		expect(cancelled.location!.searchParams.get('code')).toBeNull();
	});

	it('answers /users/@me only with a token it issued', async () => {
		const res = await fetch(`${discord.baseUrl}/users/@me`, { headers: { Authorization: 'Bearer made-up' } });
		expect(res.status).toBe(401);
	});
});
