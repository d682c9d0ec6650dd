import type { AuditAction, ConsoleRole, LoginMethod } from '#shared';
import { m } from '#i18n/messages';
import { ConsoleApiError } from './console-api.ts';
import type { FieldError } from './forms.ts';
import type { ConsoleSection } from './sections.ts';
import type { WindowPhase } from './window-phase.ts';

/* The console's words for its literal unions: one table each, so a new value without a label fails the type check. */

export const roleLabel: Record<ConsoleRole, () => string> = {
	viewer: m.console_role_viewer,
	editor: m.console_role_editor,
	owner: m.console_role_owner
};

export const methodLabel: Record<LoginMethod, () => string> = {
	discord: m.console_method_discord,
	key: m.console_method_key
};

export const sectionLabel: Record<ConsoleSection, () => string> = {
	fleet: m.console_nav_fleet,
	incidents: m.console_nav_incidents,
	maintenance: m.console_nav_maintenance,
	templates: m.console_nav_templates,
	subscribers: m.console_subscribers_nav,
	sessions: m.console_nav_sessions,
	audit: m.console_nav_audit
};

export const windowPhaseLabel: Record<WindowPhase, () => string> = {
	upcoming: m.console_window_upcoming,
	'in-progress': m.console_window_in_progress,
	ended: m.console_window_ended
};

export const auditActionLabel: Record<AuditAction, () => string> = {
	'session.login': m.console_audit_session_login,
	'session.login_refused': m.console_audit_session_login_refused,
	'session.logout': m.console_audit_session_logout,
	'session.revoke': m.console_audit_session_revoke,
	'incident.create': m.console_audit_incident_create,
	'incident.update': m.console_audit_incident_update,
	'incident.resolve': m.console_audit_incident_resolve,
	'incident.edit_update': m.console_audit_incident_edit_update,
	'incident.postmortem': m.console_audit_incident_postmortem,
	'incident.rename': m.console_audit_incident_rename,
	'incident.delete': m.console_audit_incident_delete,
	'template.create': m.console_audit_template_create,
	'template.edit': m.console_audit_template_edit,
	'template.delete': m.console_audit_template_delete,
	'maintenance.schedule': m.console_audit_maintenance_schedule,
	'maintenance.edit': m.console_audit_maintenance_edit,
	'maintenance.end': m.console_audit_maintenance_end,
	'maintenance.cancel': m.console_audit_maintenance_cancel,
	'cluster.retire': m.console_audit_cluster_retire,
	'subscriber.search': m.console_subscribers_audit_search,
	'subscriber.remove': m.console_subscribers_audit_remove
};

/** What is wrong with a field, in the reader's language (`max`: the field's limit, for `too-long`). */
export function fieldErrorText(error: FieldError, max = 0): string {
	const text: Record<FieldError, () => string> = {
		required: m.console_error_required,
		'too-long': () => m.console_error_too_long({ max }),
		'control-characters': m.console_error_control_characters,
		'invalid-clusters': m.console_error_invalid_clusters,
		'too-many-clusters': m.console_error_too_many_clusters,
		'invalid-time': m.console_error_invalid_time,
		'ends-before-start': m.console_error_ends_before_start,
		'window-too-long': m.console_error_window_too_long
	};
	return text[error]();
}

/**
 * Why a login was refused, in the reader's language: the codes of the server's Discord callback
 * (`?login_error=`) and of the key login; an unknown code shows the server's own message.
 */
export function loginErrorText(code: string, serverMessage?: string): string {
	const known: Record<string, () => string> = {
		not_an_operator: m.console_login_error_not_an_operator,
		state_mismatch: m.console_login_error_state_mismatch,
		login_expired: m.console_login_error_login_expired,
		access_denied: m.console_login_error_access_denied,
		discord_refused: m.console_login_error_discord,
		discord_unavailable: m.console_login_error_discord,
		rate_limited: m.console_login_error_rate_limited,
		key_login_disabled: m.console_login_error_key_disabled,
		wrong_key: m.console_login_error_wrong_key,
		network: m.console_error_network
	};
	return known[code]?.() ?? serverMessage ?? m.console_login_error_other();
}

/**
 * Why the server refused a change, in the reader's language for the refusals an operator can meet
 * in the console; anything else as the server words it (it says what went wrong and how to fix it).
 */
export function actionErrorText(error: unknown): string {
	if (!(error instanceof ConsoleApiError)) return m.console_error_server({ message: String(error) });
	const known: Record<string, () => string> = {
		network: m.console_error_network,
		forbidden_role: m.console_error_forbidden_role,
		unknown_incident: m.console_error_gone,
		unknown_update: m.console_error_gone,
		unknown_maintenance: m.console_error_gone,
		unknown_template: m.console_error_gone,
		unknown_session: m.console_error_gone,
		unknown_cluster: m.console_error_gone,
		unknown_subscriber: m.console_error_gone,
		cluster_live: m.console_error_cluster_live,
		maintenance_started: m.console_error_maintenance_started,
		maintenance_not_started: m.console_error_maintenance_not_started,
		maintenance_ended: m.console_error_maintenance_ended,
		incident_open: m.console_error_incident_open,
		template_name_taken: m.console_error_template_name_taken,
		rate_limited: m.console_error_rate_limited
	};
	return known[error.code]?.() ?? m.console_error_server({ message: error.message });
}
