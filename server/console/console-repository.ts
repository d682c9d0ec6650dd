import type { Kysely, Selectable } from 'kysely';
import type { AuditAction, AuditActor, AuditEntry, AuditPage, ConsoleRole, ConsoleSession, IncidentImpact, IncidentStatus, LoginMethod, MessageTemplate, NewMessageTemplate } from '#shared';
import type { ConsoleSessionTable, HistoryDatabase, MessageTemplateTable } from '../history/schema.ts';

/** A session as stored (the token itself never is). */
export interface StoredSession {
	id: string;
	tokenHash: string;
	csrfToken: string;
	method: LoginMethod;
	discordId: string | null;
	name: string;
	avatarUrl: string | null;
	role: ConsoleRole;
	createdAt: number;
	lastSeenAt: number;
	expiresAt: number;
	ip: string;
	userAgent: string;
}

/** An audit entry before it is stored. */
export interface AuditRecord {
	at: number;
	action: AuditAction;
	actor: AuditActor;
	target: string | null;
	ip: string;
	detail: AuditEntry['detail'];
}

/**
 * The console's rows in the history database (migration 006): sessions, the audit log and
 * message templates. Incidents and maintenance stay with `HistoryRepository`.
 */
export class ConsoleRepository {
	constructor(readonly db: Kysely<HistoryDatabase>) {}

	// ── sessions ──

	async createSession(s: StoredSession): Promise<void> {
		await this.db
			.insertInto('console_sessions')
			.values({
				id: s.id,
				token_hash: s.tokenHash,
				csrf_token: s.csrfToken,
				method: s.method,
				discord_id: s.discordId,
				name: s.name,
				avatar_url: s.avatarUrl,
				role: s.role,
				created_at: s.createdAt,
				last_seen_at: s.lastSeenAt,
				expires_at: s.expiresAt,
				ip: s.ip,
				user_agent: s.userAgent
			})
			.execute();
	}

	async sessionByTokenHash(tokenHash: string): Promise<StoredSession | undefined> {
		const row = await this.db.selectFrom('console_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
		return row ? toSession(row) : undefined;
	}

	async sessionById(id: string): Promise<StoredSession | undefined> {
		const row = await this.db.selectFrom('console_sessions').selectAll().where('id', '=', id).executeTakeFirst();
		return row ? toSession(row) : undefined;
	}

	async touchSession(id: string, at: number): Promise<void> {
		await this.db.updateTable('console_sessions').set({ last_seen_at: at }).where('id', '=', id).where('last_seen_at', '<', at).execute();
	}

	/** Deletes a session; returns whether it existed. */
	async deleteSession(id: string): Promise<boolean> {
		const result = await this.db.deleteFrom('console_sessions').where('id', '=', id).executeTakeFirst();
		return Number(result.numDeletedRows) > 0;
	}

	/** Sessions still valid at `now` (absolute and idle expiry), newest first; expired ones are deleted. */
	async liveSessions(now: number, idleMs: number): Promise<StoredSession[]> {
		await this.pruneSessions(now, idleMs);
		const rows = await this.db.selectFrom('console_sessions').selectAll().orderBy('created_at', 'desc').execute();
		return rows.map(toSession);
	}

	/** Deletes sessions past their absolute or idle expiry. */
	async pruneSessions(now: number, idleMs: number): Promise<void> {
		await this.db
			.deleteFrom('console_sessions')
			.where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)]))
			.execute();
	}

	// ── audit ──

	async audit(record: AuditRecord): Promise<void> {
		await this.db
			.insertInto('audit_log')
			.values({ at: record.at, action: record.action, actor: JSON.stringify(record.actor), target: record.target, ip: record.ip, detail: JSON.stringify(record.detail) })
			.execute();
	}

	/** Newest first, `limit` entries with an id below `before`. */
	async auditPage(before: number | undefined, limit: number): Promise<AuditPage> {
		let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit + 1);
		if (before !== undefined) q = q.where('id', '<', before);
		const rows = await q.execute();
		const entries: AuditEntry[] = rows.slice(0, limit).map((r) => ({
			id: Number(r.id),
			at: Number(r.at),
			action: r.action as AuditAction,
			actor: JSON.parse(r.actor) as AuditActor,
			target: r.target,
			ip: r.ip,
			detail: JSON.parse(r.detail) as AuditEntry['detail']
		}));
		return { entries, next: rows.length > limit ? entries.at(-1)!.id : null };
	}

	// ── templates ──

	async templates(): Promise<MessageTemplate[]> {
		const rows = await this.db.selectFrom('message_templates').selectAll().orderBy('name').execute();
		return rows.map(toTemplate);
	}

	async template(id: number): Promise<MessageTemplate | undefined> {
		const row = await this.db.selectFrom('message_templates').selectAll().where('id', '=', id).executeTakeFirst();
		return row ? toTemplate(row) : undefined;
	}

	async templateByName(name: string): Promise<MessageTemplate | undefined> {
		const row = await this.db.selectFrom('message_templates').selectAll().where('name', '=', name).executeTakeFirst();
		return row ? toTemplate(row) : undefined;
	}

	async createTemplate(t: NewMessageTemplate, now: number): Promise<MessageTemplate> {
		const row = await this.db
			.insertInto('message_templates')
			.values({ name: t.name, title: t.title ?? null, message: t.message, status: t.status ?? null, impact: t.impact ?? null, updated_at: now })
			.returningAll()
			.executeTakeFirstOrThrow();
		return toTemplate(row);
	}

	async updateTemplate(id: number, t: Required<NewMessageTemplate>, now: number): Promise<MessageTemplate | undefined> {
		const row = await this.db
			.updateTable('message_templates')
			.set({ name: t.name, title: t.title, message: t.message, status: t.status, impact: t.impact, updated_at: now })
			.where('id', '=', id)
			.returningAll()
			.executeTakeFirst();
		return row ? toTemplate(row) : undefined;
	}

	async deleteTemplate(id: number): Promise<boolean> {
		const result = await this.db.deleteFrom('message_templates').where('id', '=', id).executeTakeFirst();
		return Number(result.numDeletedRows) > 0;
	}
}

function toSession(r: Selectable<ConsoleSessionTable>): StoredSession {
	return {
		id: r.id,
		tokenHash: r.token_hash,
		csrfToken: r.csrf_token,
		method: r.method as LoginMethod,
		discordId: r.discord_id,
		name: r.name,
		avatarUrl: r.avatar_url,
		role: r.role as ConsoleRole,
		createdAt: Number(r.created_at),
		lastSeenAt: Number(r.last_seen_at),
		expiresAt: Number(r.expires_at),
		ip: r.ip,
		userAgent: r.user_agent
	};
}

function toTemplate(r: Selectable<MessageTemplateTable>): MessageTemplate {
	return {
		id: Number(r.id),
		name: r.name,
		title: r.title,
		message: r.message,
		status: r.status as IncidentStatus | null,
		impact: r.impact as IncidentImpact | null,
		updatedAt: Number(r.updated_at)
	};
}

/** A stored session as the sessions list shows it. */
export function publicSession(s: StoredSession, idleMs: number, currentId: string | undefined): ConsoleSession {
	return {
		id: s.id,
		user: { discordId: s.discordId, name: s.name, avatarUrl: s.avatarUrl },
		role: s.role,
		method: s.method,
		createdAt: s.createdAt,
		lastSeenAt: s.lastSeenAt,
		expiresAt: s.expiresAt,
		idleExpiresAt: Math.min(s.expiresAt, s.lastSeenAt + idleMs),
		ip: s.ip,
		userAgent: s.userAgent,
		current: s.id === currentId
	};
}
