import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A stand-in for Discord's OAuth2 on loopback, speaking the real protocol (RFC 6749 with PKCE,
 * RFC 7636, as Discord implements it) so the server's real client (arctic) talks to it unchanged:
 * - `GET  /api/oauth2/authorize`: Discord's consent page, decided by the test instead of a person:
 *   redirects to `redirect_uri?code=…&state=…` as the user the test chose, or with
 *   `error=access_denied` when the test says the user clicked Cancel;
 * - `POST /api/oauth2/token`: checks the client (HTTP Basic or body), the code (single use, ten
 *   minutes), that `redirect_uri` is the one authorized, and the PKCE `code_verifier` against the
 *   S256 challenge; answers Discord's token body, or its `invalid_grant` / `invalid_client` errors;
 * - `GET  /api/users/@me`: the user, for `Authorization: Bearer <access token>`.
 * Base URL for `SHARDBEAT_DISCORD_OAUTH_URL`: `<url>/api`.
 */

/** A Discord user as `/users/@me` answers (the fields Shardbeat reads, and a few it does not). */
export interface DiscordOAuthUser {
	id: string;
	username: string;
	global_name: string | null;
	avatar: string | null;
}

export interface DiscordOAuthStandIn {
	/** `http://127.0.0.1:<port>`; the API base is `${url}/api`. */
	url: string;
	/** What `SHARDBEAT_DISCORD_OAUTH_URL` should be. */
	baseUrl: string;
	/** Who "clicks Authorize" at the next authorize requests (until changed); null: the user clicks Cancel. */
	user: DiscordOAuthUser | null;
	/** Every token request's outcome, in order (`ok`, or the error code), for assertions. */
	readonly tokenRequests: { outcome: string; description?: string }[];
	close(): Promise<void>;
}

interface Grant {
	user: DiscordOAuthUser;
	redirectUri: string;
	challenge: string;
	expiresAt: number;
	used: boolean;
}

const CODE_TTL_MS = 10 * 60_000;

function json(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
	res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
	return Buffer.concat(chunks).toString('utf8');
}

const equal = (a: string, b: string) => {
	const x = createHash('sha256').update(a).digest();
	const y = createHash('sha256').update(b).digest();
	return timingSafeEqual(x, y);
};

/**
 * Starts the stand-in for one application (`clientId`, `clientSecret`) whose registered redirect
 * URIs are `redirectUris` (a function when the server's port is known only later).
 *
 * @example
 * const discord = await startDiscordOAuth({ clientId, clientSecret, redirectUris: () => [callback] });
 * discord.user = { id: '123456789012345678', username: 'alice', global_name: 'Alice', avatar: null };
 */
export async function startDiscordOAuth(app: { clientId: string; clientSecret: string; redirectUris: () => string[] }): Promise<DiscordOAuthStandIn> {
	const grants = new Map<string, Grant>();
	const tokens = new Map<string, DiscordOAuthUser>();
	const tokenRequests: { outcome: string; description?: string }[] = [];

	const authorize = (url: URL, res: ServerResponse) => {
		const q = url.searchParams;
		const redirectUri = q.get('redirect_uri') ?? '';
		// Discord shows an error page (no redirect) for a wrong client or redirect URI.
		if (q.get('client_id') !== app.clientId) return json(res, 400, { client_id: ['Value "' + q.get('client_id') + '" is not snowflake.'] });
		if (!app.redirectUris().includes(redirectUri)) return json(res, 400, { redirect_uri: ['Invalid OAuth2 redirect_uri'] });
		const back = new URL(redirectUri);
		const state = q.get('state');
		if (state !== null) back.searchParams.set('state', state);
		const fail = (error: string, description: string) => {
			back.searchParams.set('error', error);
			back.searchParams.set('error_description', description);
			res.writeHead(302, { Location: back.href }).end();
		};
		if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be code');
		const challenge = q.get('code_challenge');
		if (!challenge || q.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'this stand-in, like a careful app, wants PKCE with S256');
		if (!stand.user) return fail('access_denied', 'The resource owner or authorization server denied the request');
		const code = randomBytes(15).toString('base64url');
		grants.set(code, { user: stand.user, redirectUri, challenge, expiresAt: Date.now() + CODE_TTL_MS, used: false });
		back.searchParams.set('code', code);
		res.writeHead(302, { Location: back.href }).end();
	};

	const token = async (req: IncomingMessage, res: ServerResponse) => {
		const body = new URLSearchParams(await readBody(req));
		const refuse = (status: number, error: string, description: string) => {
			tokenRequests.push({ outcome: error, description });
			json(res, status, { error, error_description: description });
		};
		let clientId = body.get('client_id');
		let clientSecret = body.get('client_secret');
		const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8') : undefined;
		if (basic !== undefined) [clientId, clientSecret] = [basic.slice(0, basic.indexOf(':')), basic.slice(basic.indexOf(':') + 1)];
		if (clientId !== app.clientId || !clientSecret || !equal(clientSecret, app.clientSecret)) return refuse(401, 'invalid_client', 'Invalid client');
		if (body.get('grant_type') !== 'authorization_code') return refuse(400, 'unsupported_grant_type', 'Unsupported grant type');
		const grant = grants.get(body.get('code') ?? '');
		if (!grant || grant.expiresAt <= Date.now()) return refuse(400, 'invalid_grant', 'Invalid "code" in request.');
		// A code is good once: a replay gets nothing, whatever else it gets right.
		if (grant.used) return refuse(400, 'invalid_grant', 'Invalid "code" in request.');
		grant.used = true;
		if (body.get('redirect_uri') !== grant.redirectUri) return refuse(400, 'invalid_grant', 'Invalid "redirect_uri" in request.');
		const verifier = body.get('code_verifier') ?? '';
		if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return refuse(400, 'invalid_grant', 'Invalid "code_verifier"');
		const access = randomBytes(20).toString('base64url');
		tokens.set(access, grant.user);
		tokenRequests.push({ outcome: 'ok' });
		json(res, 200, { token_type: 'Bearer', access_token: access, expires_in: 604_800, refresh_token: randomBytes(20).toString('base64url'), scope: 'identify' });
	};

	const me = (req: IncomingMessage, res: ServerResponse) => {
		const header = req.headers.authorization ?? '';
		const user = header.startsWith('Bearer ') ? tokens.get(header.slice(7)) : undefined;
		if (!user) return json(res, 401, { message: '401: Unauthorized', code: 0 });
		json(res, 200, { ...user, discriminator: '0', public_flags: 0, flags: 0, banner: null, accent_color: null, locale: 'en-US', mfa_enabled: false });
	};

	const http = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const route = `${req.method} ${url.pathname}`;
		if (route === 'GET /api/oauth2/authorize') return authorize(url, res);
		if (route === 'POST /api/oauth2/token') return void token(req, res).catch(() => json(res, 500, { message: 'stand-in failed' }));
		if (route === 'GET /api/users/@me') return me(req, res);
		json(res, 404, { message: '404: Not Found', code: 0 });
	});
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
	const stand: DiscordOAuthStandIn = {
		url,
		baseUrl: `${url}/api`,
		user: null,
		tokenRequests,
		close: () =>
			new Promise<void>((resolve) => {
				http.closeAllConnections();
				http.close(() => resolve());
			})
	};
	return stand;
}
