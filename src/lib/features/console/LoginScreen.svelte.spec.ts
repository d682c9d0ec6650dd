import { afterEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { m } from '#i18n/messages';
import { cleanupMounted, mountComponent } from '#testing/page/mount';
import { ConsoleApi } from './console-api.ts';
import { ConsoleSession } from './console-session.svelte.ts';
import LoginScreen from './LoginScreen.svelte';

/* The login offers what the server offers, says why it shows, and sends Discord logins back here. */

afterEach(cleanupMounted);

function render(setup: (session: ConsoleSession) => void) {
	const session = new ConsoleSession(new ConsoleApi('http://api.test'));
	session.state = 'signed-out';
	setup(session);
	const root = mountComponent(LoginScreen, { session, bot: 'Acme', returnTo: 'http://page.test/de/admin/incidents/?login_error=state_mismatch' });
	return { root, session, ids: () => [...root.querySelectorAll<HTMLElement>('[data-testid]')].map((e) => e.dataset.testid) };
}

describe('LoginScreen', () => {
	it.each<[string, { discord: boolean; key: boolean }, string[]]>([
		['both logins', { discord: true, key: true }, ['login-discord', 'login-key-form', 'login-key', 'login-key-submit']],
		['Discord only: no key field', { discord: true, key: false }, ['login-discord']],
		['the key only: no Discord button', { discord: false, key: true }, ['login-key-form', 'login-key', 'login-key-submit']]
	])('%s', (_, logins, ids) => {
		const { ids: shown } = render((s) => (s.logins = logins));
		expect(shown().filter((id) => id !== 'console-login')).toEqual(ids);
	});

	it('sends "Log in with Discord" to the server, coming back to this page without the old error', () => {
		const { root } = render((s) => (s.logins = { discord: true, key: false }));
		const href = new URL(root.querySelector<HTMLAnchorElement>('[data-testid=login-discord]')!.href);
		expect(href.origin + href.pathname).toBe('http://api.test/api/v1/console/login/discord');
		expect(href.searchParams.get('redirect')).toBe('http://page.test/de/admin/incidents/');
	});

	it.each<[string, ConsoleSession['notice'], string]>([
		['a refused Discord login', { kind: 'login-error', code: 'not_an_operator' }, m.console_login_error_not_an_operator()],
		['a wrong key', { kind: 'login-error', code: 'wrong_key', message: 'server words' }, m.console_login_error_wrong_key()],
		['an unknown refusal: the server’s words', { kind: 'login-error', code: 'teapot', message: 'server words' }, 'server words'],
		['a session that ended', { kind: 'session-ended' }, m.console_session_ended()],
		['a logout', { kind: 'logged-out' }, m.console_logged_out()]
	])('says why it shows: %s', (_, notice, text) => {
		const { root } = render((s) => {
			s.logins = { discord: true, key: true };
			s.notice = notice;
		});
		const shown = root.querySelector<HTMLElement>('[data-testid=login-notice]')!;
		expect(shown.textContent!.trim()).toBe(text);
		expect(shown.getAttribute('role')).toBe(notice?.kind === 'logged-out' ? 'status' : 'alert');
	});

	it('says plainly when the server offers no login, and offers a retry when it cannot be reached', () => {
		const { root, session } = render((s) => (s.logins = { discord: false, key: false }));
		expect(root.textContent).toContain(m.console_no_login());
		session.state = 'unreachable';
		flushSync();
		expect(root.textContent).toContain(m.console_unreachable());
		expect(root.querySelector('button')!.textContent).toBe(m.console_retry());
	});
});
