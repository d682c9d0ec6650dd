import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import { monotonicNow } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Subsystem } from '../subsystem.ts';
import { clientIp } from './client-ip.ts';
import { MemoryConnectionCap, RedisConnectionCap, type ConnectionCap } from './connection-cap.ts';
import { MemoryRateStore, RateLimiter, RedisRateStore, type RateLimitStore } from './rate-limit.ts';

export interface LimitSettings {
	trustProxy: boolean;
	httpRatePerMin: number;
	tokenRatePerMin: number;
	heartbeatRatePer10s: number;
	viewerEventsPer10s: number;
	maxViewersPerIp: number;
	/** Console logins per IP per minute, and failed key logins per IP per hour (0: unlimited). */
	loginRatePerMin: number;
	loginFailuresPerHour: number;
	/** `POST /api/v1/subscriptions` per IP per hour. */
	subscribeRatePerHour: number;
}

export interface Limits extends Subsystem {
	/** For the HTTP handler: per-IP request limits. */
	readonly http: {
		clientIp: (req: IncomingMessage) => string;
		http: RateLimiter;
		token: RateLimiter;
		/** `POST /api/v1/heartbeat`, per cluster id (keyed by the id, not the IP). */
		heartbeat: RateLimiter;
		/** Console logins (`/api/v1/console/login/…`), per IP, on top of `http`. */
		login: RateLimiter;
		/** Failed key logins, per IP. */
		loginFailures: RateLimiter;
		/** `POST /api/v1/subscriptions`, per client IP. */
		subscribe: RateLimiter;
		/** `POST /api/v1/subscriptions`, per address or webhook (its hash): 10 an hour from anywhere. */
		subscribeAddress: RateLimiter;
	};
	/** For `/viewer`: the per-IP socket cap and each socket's event budget. */
	readonly viewers: {
		eventsPer10s: number;
		cap: ConnectionCap;
		clientIp: (headers: IncomingHttpHeaders, address: string) => string;
	};
	/**
	 * Releases the viewer cap. Call after every socket has closed: closing the sockets is what
	 * gives their slots back (in Redis too, before its client quits).
	 */
	closeCap(): void;
}

/** Subscription requests per address per hour, whichever IPs they come from (the mails themselves are capped at 3 a day). */
export const SUBSCRIBE_PER_ADDRESS_PER_HOUR = 10;

/** A warning per kind at most once a minute: Redis being away must not flood the log. */
function throttledWarnings(logger: Logger) {
	const warnedAt = new Map<string, number>();
	return (message: string) => (err: Error) => {
		const now = monotonicNow();
		if (now - (warnedAt.get(message) ?? -Infinity) < 60_000) return;
		warnedAt.set(message, now);
		logger.warn({ err: err.message }, message);
	};
}

/**
 * Security limits: per-IP HTTP and token rates and the per-IP viewer cap. Scaled out they are
 * counted in Redis so a client cannot multiply them by the number of instances (a socket lives on
 * one instance, so its event budget needs no Redis); when Redis cannot answer they fall back to
 * allowing (rates) or to this instance's count (the cap), and say so in the log.
 */
export function createLimits(deps: { settings: LimitSettings; redis: Redis | undefined; logger: Logger }): Limits {
	const { settings, redis } = deps;
	const warn = throttledWarnings(deps.logger);
	const rateStore: RateLimitStore = redis
		? new RedisRateStore({ redis, onError: warn('rate limits unavailable (redis); allowing requests meanwhile') })
		: new MemoryRateStore();
	const cap: ConnectionCap = redis
		? new RedisConnectionCap({
				redis,
				limit: settings.maxViewersPerIp,
				instanceId: randomUUID(),
				onError: warn('per-IP viewer cap unavailable (redis); counting this instance only meanwhile')
			})
		: new MemoryConnectionCap(settings.maxViewersPerIp);
	return {
		http: {
			clientIp: (req) => clientIp(req.headers, req.socket.remoteAddress, settings.trustProxy),
			http: new RateLimiter('http', { limit: settings.httpRatePerMin, windowMs: 60_000 }, rateStore),
			token: new RateLimiter('token', { limit: settings.tokenRatePerMin, windowMs: 60_000 }, rateStore),
			heartbeat: new RateLimiter('hb', { limit: settings.heartbeatRatePer10s, windowMs: 10_000 }, rateStore),
			login: new RateLimiter('login', { limit: settings.loginRatePerMin, windowMs: 60_000 }, rateStore),
			loginFailures: new RateLimiter('login-fail', { limit: settings.loginFailuresPerHour, windowMs: 3_600_000 }, rateStore),
			subscribe: new RateLimiter('sub', { limit: settings.subscribeRatePerHour, windowMs: 3_600_000 }, rateStore),
			subscribeAddress: new RateLimiter('suba', { limit: SUBSCRIBE_PER_ADDRESS_PER_HOUR, windowMs: 3_600_000 }, rateStore)
		},
		viewers: {
			eventsPer10s: settings.viewerEventsPer10s,
			cap,
			clientIp: (headers, address) => clientIp(headers, address, settings.trustProxy)
		},
		close: () => rateStore.close?.(),
		closeCap: () => cap.close()
	};
}
