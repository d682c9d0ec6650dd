import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretsEqual } from '../auth/secret.ts';
import type { Metrics } from '../public/metrics.ts';
import { error, send } from './respond.ts';

export interface MetricsRouteDeps {
	metrics: Pick<Metrics, 'contentType' | 'scrape'>;
	/** `SHARDBEAT_METRICS_TOKEN`; unset, `/metrics` is off (`404 metrics_disabled`). */
	token?: string | undefined;
}

const HOW_TO_SCRAPE = 'send Authorization: Bearer <SHARDBEAT_METRICS_TOKEN> (in Prometheus: authorization: { credentials_file: … })';

/**
 * Whether `req` carries the metrics token: `Authorization: Bearer <token>` and nothing else
 * (never a query parameter, which ends up in access logs and browser history). Compared in
 * constant time; the token itself is never logged or echoed.
 */
export function isMetricsScrape(req: IncomingMessage, token: string | undefined): boolean {
	if (!token) return false;
	const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
	return match !== null && secretsEqual(match[1]!, token);
}

/**
 * `GET /metrics` for the operator's Prometheus only. Refusals are answered before anything is
 * rendered, so a stranger's request costs a header check; an authorised scrape gets the shared,
 * cached text (`Metrics.scrape`: at most one render a second however many scrapers).
 */
export function createMetricsRoute(deps: MetricsRouteDeps) {
	// The shared text encoded once: at 16,000 shards it is ~3 MB, and encoding it per scrape would
	// cost every scraper what the shared render saved.
	let body: { text: string; bytes: Buffer } | undefined;
	return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
		if (url.pathname !== '/metrics') return false;
		req.resume();
		const noStore = { 'Cache-Control': 'no-store' };
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			send(res, 405, error('method_not_allowed', `${req.method} is not supported on /metrics; use GET`), { ...noStore, Allow: 'GET, HEAD' });
			return true;
		}
		if (!deps.token) {
			send(res, 404, error('metrics_disabled', 'metrics are off on this server: set SHARDBEAT_METRICS_TOKEN (24+ chars, e.g. `openssl rand -hex 32`) and scrape with Authorization: Bearer <that token>'), noStore);
			return true;
		}
		if (url.search !== '') {
			// Whatever it holds, a token in a URL is a leaked token; nothing else is read from the query.
			send(res, 400, error('query_not_allowed', `/metrics takes no query string; ${HOW_TO_SCRAPE}`), noStore);
			return true;
		}
		if (!isMetricsScrape(req, deps.token)) {
			const code = req.headers.authorization === undefined ? 'unauthorized' : 'invalid_token';
			const why = code === 'unauthorized' ? '/metrics needs credentials' : 'the credentials are not the metrics token';
			send(res, 401, error(code, `${why}: ${HOW_TO_SCRAPE}`), { ...noStore, 'WWW-Authenticate': 'Bearer realm="shardbeat-metrics"' });
			return true;
		}
		const text = await deps.metrics.scrape();
		if (body?.text !== text) body = { text, bytes: Buffer.from(text, 'utf8') };
		res.writeHead(200, { 'Content-Type': deps.metrics.contentType, 'Content-Length': body.bytes.length, 'X-Content-Type-Options': 'nosniff', ...noStore });
		res.end(body.bytes);
		return true;
	};
}
