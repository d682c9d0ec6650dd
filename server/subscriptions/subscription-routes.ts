import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseScope, type ScopeInput } from '#shared';
import { baseLocale, isLocale, type Locale } from '#i18n/runtime';
import { explain } from '../http/operator-schema.ts';
import { error, HttpError, rateLimited, readJson, send } from '../http/respond.ts';
import type { Logger } from '../log.ts';
import { tokenHash } from '../notify/contract.ts';
import { normaliseTarget } from '../notify/subscriber-store.ts';
import type { RateLimiter } from '../security/rate-limit.ts';
import type { MailSite } from './mail.ts';
import { confirmedPage, confirmPage, invalidLinkPage, managePage, PAGE_HEADERS, PAGE_PATHS, unsubscribedPage } from './pages.ts';
import { StoreUnavailable, type SubscriptionService } from './subscription-service.ts';
import { SubscribeSchema } from './subscription-schema.ts';
import { TOKEN_FORM } from './links.ts';

export interface SubscriptionRoutesDeps {
	service: SubscriptionService;
	/** False without `SHARDBEAT_SMTP_URL`: email subscriptions are refused, and the page is told. */
	emailEnabled: boolean;
	site: MailSite;
	limits: {
		clientIp: (req: IncomingMessage) => string;
		/** `POST /api/v1/subscriptions` per client IP. */
		perIp: RateLimiter;
		/** `POST /api/v1/subscriptions` per address or webhook (its hash), whatever the IP. */
		perAddress: RateLimiter;
	};
	logger: Logger;
}

/** Paths a mail's links open: forms posted from the server's own pages, authorised by their token, not by an origin. */
export function isSubscriptionLinkPath(pathname: string): boolean {
	return pathname === PAGE_PATHS.confirm || pathname === PAGE_PATHS.manage || pathname === PAGE_PATHS.unsubscribe;
}

/**
 * Reads a small HTML form body (`application/x-www-form-urlencoded`, or `multipart/form-data` as
 * some mail clients send RFC 8058's one-click POST) into fields.
 */
async function readForm(req: IncomingMessage, limit = 4_096): Promise<URLSearchParams> {
	const type = (req.headers['content-type'] ?? '').toLowerCase();
	let size = 0;
	const chunks: Buffer[] = [];
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > limit) {
			req.resume();
			throw new HttpError(413, 'payload_too_large', `the form is larger than ${limit} bytes`);
		}
		chunks.push(chunk);
	}
	const text = Buffer.concat(chunks).toString('utf8');
	if (type.startsWith('application/x-www-form-urlencoded') || (type === '' && text === '')) return new URLSearchParams(text);
	if (type.startsWith('multipart/form-data')) {
		const fields = new URLSearchParams();
		for (const part of text.split(/\r?\n--/)) {
			const m = /name="([^"]{1,64})"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*)$/.exec(part);
			if (m) fields.append(m[1]!, m[2]!.replace(/\r?\n(--)?$/, '').replace(/\r?\n$/, ''));
		}
		return fields;
	}
	throw new HttpError(415, 'unsupported_media_type', 'send the form as application/x-www-form-urlencoded (or multipart/form-data)');
}

/** The `?token=` (or form field) of a link: the form is checked before anything is looked up. */
function tokenOf(value: string | null): string {
	if (value === null || value === '') throw new HttpError(400, 'missing_token', 'the link has no token; open the link from the mail as it is');
	if (!TOKEN_FORM.test(value)) throw new HttpError(400, 'invalid_token', 'the token is not one this server makes (43 characters of A–Z, a–z, 0–9, - and _); open the link from the mail as it is');
	return value;
}

/** The language of a page whose link no longer names a subscriber: `?lang=` when given, else English. */
function pageLocale(url: URL): Locale {
	const lang = url.searchParams.get('lang');
	return lang && isLocale(lang) ? lang : baseLocale;
}

/**
 * `POST /api/v1/subscriptions` (subscribe), `GET /api/v1/subscriptions/options` (what the page
 * may offer) and the pages a mail's links open (confirm, manage, one-click unsubscribe).
 * Returns false for any other path (the operator's `/api/v1/operator/subscribers…` are api-v1's).
 */
export function createSubscriptionRoutes(deps: SubscriptionRoutesDeps) {
	const { service, site, logger } = deps;
	/** Answers a page; true, so a route can `return html(…)`. */
	const html = (res: ServerResponse, status: number, body: string): true => {
		res.writeHead(status, { ...PAGE_HEADERS, 'Content-Length': Buffer.byteLength(body) });
		res.end(body);
		return true;
	};

	const subscribe = async (req: IncomingMessage, res: ServerResponse, cors: Record<string, string>) => {
		const ip = deps.limits.clientIp(req);
		const byIp = await deps.limits.perIp.take(ip);
		if (!byIp.ok) {
			req.resume();
			return rateLimited(res, byIp.retryAfterMs, cors);
		}
		const parsed = SubscribeSchema.safeParse(await readJson(req, 4_096));
		if (!parsed.success) throw new HttpError(400, 'invalid_subscription', explain(parsed.error));
		const { request, honeypot } = parsed.data;
		if (request.kind === 'email' && !deps.emailEnabled) {
			throw new HttpError(422, 'email_disabled', 'email: email subscriptions are off on this server (no SHARDBEAT_SMTP_URL); subscribe a Discord webhook (discordWebhookUrl) instead');
		}
		const noStore = { ...cors, 'Cache-Control': 'no-store' };
		// What a person gets for a request that went through: a bot that filled the honeypot gets it too.
		const accepted = (status: 'confirmation_sent' | 'confirmed') => send(res, 202, { kind: request.kind, status }, noStore);
		if (honeypot) {
			logger.info({ ip, kind: request.kind }, 'subscription ignored: the honeypot field was filled');
			return accepted(request.kind === 'email' ? 'confirmation_sent' : 'confirmed');
		}
		const byAddress = await deps.limits.perAddress.take(tokenHash(normaliseTarget(request.kind, request.target)));
		if (!byAddress.ok) return rateLimited(res, byAddress.retryAfterMs, cors);
		const result = await service.subscribe(request);
		switch (result.outcome) {
			case 'webhook_refused':
				logger.info({ kind: 'discord', status: result.status }, 'subscription refused: the webhook did not take the test message');
				throw new HttpError(
					422,
					'webhook_unreachable',
					`discordWebhookUrl: Discord ${result.status ? `answered ${result.status} to` : 'could not be reached for'} the test message; check that the webhook still exists (Channel settings → Integrations → Webhooks) and try again`
				);
			case 'send_limit':
				logger.info({ subscriber: result.subscriber.id, kind: request.kind }, 'subscription not sent: 3 first messages to this address in 24 hours');
				return send(res, 429, error('confirmation_limit', `${request.kind === 'email' ? 'email' : 'discordWebhookUrl'}: this address has had 3 confirmation messages in the last 24 hours; use the newest one, or try again tomorrow`), { ...noStore, 'Retry-After': '86400' });
			default:
				logger.info({ subscriber: result.subscriber.id, kind: request.kind, outcome: result.outcome }, 'subscription requested');
				// An address already subscribed gets the same answer as a new one: nobody learns who is subscribed.
				return accepted(request.kind === 'email' ? 'confirmation_sent' : 'confirmed');
		}
	};

	const route = async (req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>): Promise<boolean> => {
		const path = url.pathname;
		const method = req.method ?? 'GET';
		if (path === '/api/v1/subscriptions/options') {
			if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', `${method} is not supported on ${path}; use GET`);
			send(res, 200, { email: deps.emailEnabled, discord: true }, { ...cors, 'Cache-Control': 'public, max-age=60' });
			return true;
		}
		if (path === '/api/v1/subscriptions') {
			if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `${method} is not supported on ${path}; use POST`);
			await subscribe(req, res, cors);
			return true;
		}
		if (path === PAGE_PATHS.confirm) {
			if (method === 'GET') {
				const token = tokenOf(url.searchParams.get('token'));
				// Showing the page confirms nothing: only its button's POST does (scanners fetch links).
				const subscriber = await service.byLink('confirm', token);
				if (!subscriber) html(res, 404, invalidLinkPage(pageLocale(url), site));
				else html(res, 200, confirmPage(subscriber, token, site));
				return true;
			}
			if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `${method} is not supported on ${path}; use GET or POST`);
			const token = tokenOf((await readForm(req)).get('token'));
			const subscriber = await service.confirm(token);
			if (!subscriber) return html(res, 404, invalidLinkPage(pageLocale(url), site));
			logger.info({ subscriber: subscriber.id, kind: subscriber.kind }, 'subscription confirmed');
			html(res, 200, confirmedPage(subscriber, site));
			return true;
		}
		if (path === PAGE_PATHS.unsubscribe) {
			const token = tokenOf(url.searchParams.get('token'));
			if (method === 'GET') {
				// The mail's visible "Unsubscribe" link: the manage page, whose button posts the one click.
				const subscriber = await service.byLink('manage', token);
				if (!subscriber) html(res, 404, invalidLinkPage(pageLocale(url), site));
				else html(res, 200, managePage(subscriber, token, site));
				return true;
			}
			if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `${method} is not supported on ${path}; use POST (RFC 8058 one-click) or GET`);
			const form = await readForm(req);
			if (form.get('List-Unsubscribe') !== 'One-Click') throw new HttpError(400, 'invalid_unsubscribe', 'the body must be List-Unsubscribe=One-Click (RFC 8058)');
			const subscriber = await service.byLink('manage', token);
			if (!subscriber || !(await service.remove(subscriber.id))) return html(res, 404, invalidLinkPage(pageLocale(url), site));
			logger.info({ subscriber: subscriber.id, kind: subscriber.kind }, 'unsubscribed; the address was deleted');
			html(res, 200, unsubscribedPage(subscriber.locale, site));
			return true;
		}
		if (path === PAGE_PATHS.manage) {
			if (method === 'GET') {
				const token = tokenOf(url.searchParams.get('token'));
				const subscriber = await service.byLink('manage', token);
				if (!subscriber) html(res, 404, invalidLinkPage(pageLocale(url), site));
				else html(res, 200, managePage(subscriber, token, site));
				return true;
			}
			if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `${method} is not supported on ${path}; use GET or POST`);
			const form = await readForm(req);
			const token = tokenOf(form.get('token'));
			const subscriber = await service.byLink('manage', token);
			if (!subscriber) return html(res, 404, invalidLinkPage(pageLocale(url), site));
			const kind = form.get('scope');
			const clusters = form.get('clusters') ?? '';
			const guild = form.get('guild') ?? '';
			const input: ScopeInput | undefined =
				kind === 'bot'
					? { kind: 'bot' }
					: kind === 'clusters'
						? { kind: 'clusters', clusterIds: clusters.split(/[\s,;]+/).filter(Boolean).map((c) => (/^\d{1,7}$/.test(c) ? Number(c) : -1)) }
						: kind === 'guild'
							? { kind: 'guild', guild: guild.slice(0, 300) }
							: undefined;
			const parsed = input ? parseScope(input) : ({ ok: false, error: 'unknown_kind' } as const);
			if (!parsed.ok) return html(res, 400, managePage(subscriber, token, site, { error: parsed.error, form: { clusters: clusters.slice(0, 300), guild: guild.slice(0, 300) } }));
			const updated = (await service.setScope(token, parsed.scope))!;
			logger.info({ subscriber: subscriber.id, scope: parsed.scope.kind }, 'subscription scope changed');
			html(res, 200, managePage(updated, token, site, { saved: true }));
			return true;
		}

		if (path.startsWith('/api/v1/subscriptions/')) {
			req.resume();
			throw new HttpError(404, 'not_found', `no route ${method} ${path.slice(0, 100)}; see the README's Subscriptions section`);
		}
		return false;
	};

	return async (req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>): Promise<boolean> => {
		try {
			return await route(req, res, url, cors);
		} catch (err) {
			if (err instanceof HttpError) throw err;
			if (err instanceof StoreUnavailable) throw new HttpError(503, 'history_unavailable', err.message);
			// Past validation, what fails is the database (or the mail server): a 503 to retry, logged without the query string.
			// Only the error's code: a mail server's message may quote the address it refused.
			logger.warn({ err: (err as { code?: string }).code ?? (err as Error).name, path: url.pathname }, 'subscription request failed');
			throw new HttpError(503, 'subscriptions_unavailable', 'subscribing could not be completed just now (the database or the mail server did not answer); a new subscription was not kept — retry shortly');
		}
	};
}
