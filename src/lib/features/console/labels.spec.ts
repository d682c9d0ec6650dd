import { describe, expect, it } from 'vitest';
import { m } from '#i18n/messages';
import { ConsoleApiError } from './console-api.ts';
import { actionErrorText, fieldErrorText, loginErrorText } from './labels.ts';

describe('actionErrorText', () => {
	it.each<[string, unknown, string]>([
		['a role too low', new ConsoleApiError(403, 'forbidden_role', 'role editor needed'), m.console_error_forbidden_role()],
		['something deleted meanwhile', new ConsoleApiError(404, 'unknown_incident', 'no incident 9'), m.console_error_gone()],
		['cancelling a started window', new ConsoleApiError(409, 'maintenance_started', 'end it'), m.console_error_maintenance_started()],
		['retiring a live cluster', new ConsoleApiError(409, 'cluster_live', 'live'), m.console_error_cluster_live()],
		['no answer', new ConsoleApiError(0, 'network', 'x'), m.console_error_network()],
		['an unknown refusal: the server’s words', new ConsoleApiError(400, 'invalid_body', 'title: must not be empty'), m.console_error_server({ message: 'title: must not be empty' })],
		['not an API error at all', new Error('boom'), m.console_error_server({ message: 'Error: boom' })]
	])('%s', (_, error, text) => {
		expect(actionErrorText(error)).toBe(text);
	});
});

describe('loginErrorText', () => {
	it.each<[string, string | undefined, string]>([
		['not_an_operator', undefined, m.console_login_error_not_an_operator()],
		['discord_unavailable', undefined, m.console_login_error_discord()],
		['wrong_key', 'that is not the operator key', m.console_login_error_wrong_key()],
		['something_new', 'the server explains', 'the server explains'],
		['something_new', undefined, m.console_login_error_other()]
	])('%s (%s)', (code, message, text) => {
		expect(loginErrorText(code, message)).toBe(text);
	});
});

describe('fieldErrorText', () => {
	it('says the limit of a field too long', () => {
		expect(fieldErrorText('too-long', 200)).toBe(m.console_error_too_long({ max: 200 }));
		expect(fieldErrorText('too-long', 200)).toContain('200');
	});
});
