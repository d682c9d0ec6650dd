import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretsEqual } from '../auth/secret.ts';
import type { HistoryService } from '../history/history-service.ts';
import { canonicalTimeZone } from '../history/history-service.ts';
import type { HistoryRepository } from '../history/repository.ts';
import type { ConsoleActions } from '../console/console-actions.ts';
import type { ConsoleRepository } from '../console/console-repository.ts';
import { AuditQuerySchema } from '../console/console-schema.ts';
import type { SubscriberActions } from '../console/subscriber-actions.ts';
import { SubscriberSearchSchema } from '../subscriptions/subscription-schema.ts';
import { explain, NewIncidentSchema, NewIncidentUpdateSchema, NewMaintenanceSchema } from './operator-schema.ts';
import type { Logger } from '../log.ts';
import { HttpError, readJson, send } from './respond.ts';

/** The history side once its database is open; undefined before (or while it cannot be opened). */
export interface HistoryAccess {
	service: HistoryService;
	store: HistoryRepository;
}

export interface ApiV1Deps {
	history: () => HistoryAccess | undefined;
	/** Bearer secret for `/api/v1/operator/*`; unset disables the operator API. */
	operatorSecret: string | undefined;
	/** What operators change: done, audited and told (webhooks, pages) the same way from here and the console. */
	actions: ConsoleActions;
	/** Counting, searching and removing subscribers, audited as the console's are. */
	subscribers: SubscriberActions;
	/** The audit log, once the history database is open. */
	consoleRepository: () => ConsoleRepository | undefined;
	/** The IP a request counts against (the audit log records it). */
	clientIp: (req: IncomingMessage) => string;
	historyMaxAgeS: number;
	now: () => number;
	logger: Logger;
}

const CLUSTER_HISTORY = /^\/api\/v1\/history\/clusters\/(\d{1,7})$/;
const INCIDENT_UPDATES = /^\/api\/v1\/operator\/incidents\/(\d{1,12})\/updates$/;
const MAINTENANCE_ONE = /^\/api\/v1\/operator\/maintenance\/(\d{1,12})$/;
const CLUSTER_ONE = /^\/api\/v1\/operator\/clusters\/(\d{1,7})$/;
const SUBSCRIBER_ONE = /^\/api\/v1\/operator\/subscribers\/(\d{1,15})$/;

function unavailable(): never {
	throw new HttpError(503, 'history_unavailable', 'the history database is not reachable yet; live status still works — retry shortly');
}

function timeZoneOf(url: URL): string {
	const tz = url.searchParams.get('tz') ?? 'UTC';
	// The runtime's spelling: `europe/BERLIN` and its thousands of siblings are one zone, not one cache key each.
	const canonical = canonicalTimeZone(tz);
	if (!canonical) throw new HttpError(400, 'invalid_time_zone', `tz must be an IANA time zone such as Europe/Berlin; got ${JSON.stringify(tz.slice(0, 64))}`);
	return canonical;
}

/**
 * `/api/v1/history…` for the page and `/api/v1/operator/…` for operators. Returns false when the
 * path is not one of these, so the caller can answer 404.
 */
export function createApiV1(deps: ApiV1Deps) {
	// History answers are cached objects (per load and zone); each is serialised once, not per request.
	const encoded = new WeakMap<object, Buffer>();
	const json = (answer: object): Buffer => {
		let body = encoded.get(answer);
		if (!body) encoded.set(answer, (body = Buffer.from(JSON.stringify(answer))));
		return body;
	};

	const requireOperator = (req: IncomingMessage) => {
		if (!deps.operatorSecret) throw new HttpError(404, 'operator_api_disabled', 'the operator API is off; set SHARDBEAT_OPERATOR_SECRET to enable it');
		const header = req.headers.authorization ?? '';
		const given = header.startsWith('Bearer ') ? header.slice(7) : '';
		// Operators are not viewers: a viewer token or the bot secret here is just a wrong secret.
		if (!given || !secretsEqual(given, deps.operatorSecret)) {
			req.resume();
			throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <SHARDBEAT_OPERATOR_SECRET>');
		}
	};

	const route = async (req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>): Promise<boolean> => {
		const path = url.pathname;
		if (!path.startsWith('/api/v1/history') && !path.startsWith('/api/v1/operator/')) return false;
		const method = req.method ?? 'GET';
		const cache = { ...cors, 'Cache-Control': `public, max-age=${deps.historyMaxAgeS}` };
		const noStore = { ...cors, 'Cache-Control': 'no-store' };

		if (path === '/api/v1/history') {
			if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', `${method} is not supported on ${path}; use GET`);
			const h = deps.history() ?? unavailable();
			send(res, 200, null, cache, json(await h.service.fleet(timeZoneOf(url))));
			return true;
		}
		const cluster = CLUSTER_HISTORY.exec(path);
		if (cluster) {
			if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', `${method} is not supported on ${path}; use GET`);
			const h = deps.history() ?? unavailable();
			const answer = await h.service.cluster(Number(cluster[1]), timeZoneOf(url));
			if (!answer) throw new HttpError(404, 'unknown_cluster', `cluster ${cluster[1]} has no recorded history`);
			send(res, 200, null, cache, json(answer));
			return true;
		}

		// ── operator API (bearer; every change audited as the console's are) ──
		if (!path.startsWith('/api/v1/operator/')) return false;
		const bearer = () => {
			requireOperator(req);
			return { actor: { kind: 'bearer' as const }, ip: deps.clientIp(req) };
		};
		if (path === '/api/v1/operator/incidents' && method === 'POST') {
			const caller = bearer();
			const parsed = NewIncidentSchema.safeParse(await readJson(req));
			if (!parsed.success) throw new HttpError(400, 'invalid_incident', explain(parsed.error));
			send(res, 201, await deps.actions.createIncident(caller, parsed.data), noStore);
			return true;
		}
		const updates = INCIDENT_UPDATES.exec(path);
		if (updates && method === 'POST') {
			const caller = bearer();
			const parsed = NewIncidentUpdateSchema.safeParse(await readJson(req));
			if (!parsed.success) throw new HttpError(400, 'invalid_update', explain(parsed.error));
			send(res, 201, await deps.actions.postUpdate(caller, Number(updates[1]), parsed.data), noStore);
			return true;
		}
		if (path === '/api/v1/operator/maintenance' && method === 'POST') {
			const caller = bearer();
			const parsed = NewMaintenanceSchema.safeParse(await readJson(req));
			if (!parsed.success) throw new HttpError(400, 'invalid_maintenance', explain(parsed.error));
			send(res, 201, await deps.actions.scheduleMaintenance(caller, parsed.data), noStore);
			return true;
		}
		const one = MAINTENANCE_ONE.exec(path);
		if (one && method === 'DELETE') {
			const caller = bearer();
			// As it always could: any window, started or not (the console only cancels upcoming ones).
			await deps.actions.cancelMaintenance(caller, Number(one[1]), 'any');
			res.writeHead(204, noStore).end();
			return true;
		}
		const retiring = CLUSTER_ONE.exec(path);
		if (retiring && method === 'DELETE') {
			const caller = bearer();
			send(res, 200, await deps.actions.retireCluster(caller, Number(retiring[1])), noStore);
			return true;
		}
		if (path === '/api/v1/operator/audit' && method === 'GET') {
			bearer();
			const parsed = AuditQuerySchema.safeParse(Object.fromEntries(url.searchParams));
			if (!parsed.success) throw new HttpError(400, 'invalid_query', explain(parsed.error));
			const repo = deps.consoleRepository() ?? unavailable();
			send(res, 200, await repo.auditPage(parsed.data.before, parsed.data.limit), noStore);
			return true;
		}
		if (path === '/api/v1/operator/subscribers/counts' && method === 'GET') {
			bearer();
			send(res, 200, await deps.subscribers.counts(), noStore);
			return true;
		}
		if (path === '/api/v1/operator/subscribers/search' && method === 'POST') {
			const caller = bearer();
			const parsed = SubscriberSearchSchema.safeParse(await readJson(req, 4_096));
			if (!parsed.success) throw new HttpError(400, 'invalid_search', explain(parsed.error));
			send(res, 200, await deps.subscribers.search(caller, parsed.data), noStore);
			return true;
		}
		const subscriber = SUBSCRIBER_ONE.exec(path);
		if (subscriber && method === 'DELETE') {
			const caller = bearer();
			await deps.subscribers.remove(caller, Number(subscriber[1]));
			deps.logger.info({ subscriber: Number(subscriber[1]) }, 'subscriber removed by an operator');
			res.writeHead(204, noStore).end();
			return true;
		}
		if (path.startsWith('/api/v1/operator/')) {
			req.resume();
			throw new HttpError(404, 'not_found', `no operator route ${method} ${path}; see the README's operator API`);
		}
		return false;
	};

	return async (req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>): Promise<boolean> => {
		try {
			return await route(req, res, url, cors);
		} catch (err) {
			if (err instanceof HttpError) throw err;
			// Past validation, what fails is a query: the database went away after it opened (an
			// outage, a full disk). That is a 503 with a retry hint, as before it opened; logged all the same.
			deps.logger.warn({ err: (err as Error).message, path: url.pathname }, 'history query failed');
			throw new HttpError(503, 'history_unavailable', 'the history database did not answer; live status still works — retry shortly');
		}
	};
}
