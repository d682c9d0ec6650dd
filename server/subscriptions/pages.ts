import {
	find_error_direct_message_link,
	find_error_empty,
	find_error_not_a_snowflake,
	subscribe_clusters_label,
	subscribe_error_clusters,
	subscribe_guild_label,
	subscribe_page_back,
	subscribe_page_confirm_button,
	subscribe_page_confirm_text,
	subscribe_page_confirm_title,
	subscribe_page_confirmed,
	subscribe_page_invalid,
	subscribe_page_manage_change,
	subscribe_page_manage_save,
	subscribe_page_manage_text,
	subscribe_page_manage_title,
	subscribe_page_saved,
	subscribe_page_unsubscribe_button,
	subscribe_page_unsubscribed,
	subscribe_scope_option_bot,
	subscribe_scope_option_clusters,
	subscribe_scope_option_guild
} from '#i18n/messages';
import type { Locale } from '#i18n/runtime';
import type { ScopeError } from '#shared';
import type { Subscriber } from '../notify/contract.ts';
import { escapeXml as esc } from '../public/xml.ts';
import type { MailSite } from './mail.ts';
import { scopeText } from './mail.ts';

/*
 * The small pages the server answers for the links in subscription mails, so they work with
 * only the server running: confirm (a GET shows a button; only its POST confirms, so a mail
 * scanner fetching the link confirms nothing), manage (change the scope, or leave), and the
 * outcomes. Plain HTML forms, no script; light and dark follow the reader's system.
 */

/** Paths of the pages; their forms post back to the same paths. */
export const PAGE_PATHS = {
	confirm: '/api/v1/subscriptions/confirm',
	manage: '/api/v1/subscriptions/manage',
	unsubscribe: '/api/v1/subscriptions/unsubscribe'
} as const;

const STYLE = `
:root{color-scheme:light dark;--bg:#f8fafc;--fg:#0f172a;--card:#fff;--line:#cbd5e1;--muted:#475569;--accent:#1d4ed8;--danger:#b91c1c}
@media (prefers-color-scheme:dark){:root{--bg:#020617;--fg:#e2e8f0;--card:#0f172a;--line:#334155;--muted:#94a3b8;--accent:#60a5fa;--danger:#f87171}}
body{margin:0;padding:16px;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif}
main{max-width:560px;margin:0 auto;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px}
h1{font-size:1.3rem;margin:0 0 12px}p{margin:0 0 12px}.muted{color:var(--muted);font-size:.9rem}
button{font:inherit;font-weight:600;border:0;border-radius:8px;padding:10px 16px;background:var(--accent);color:#fff;cursor:pointer}
@media (prefers-color-scheme:dark){button{color:#020617}}
button.danger{background:transparent;color:var(--danger);border:1px solid var(--danger)}
button:focus-visible,input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
form{margin:0 0 16px}fieldset{border:1px solid var(--line);border-radius:8px;margin:0 0 12px;padding:8px 12px}label{display:block;margin:4px 0}
input[type=text]{box-sizing:border-box;width:100%;font:inherit;padding:8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.error{color:var(--danger);font-weight:600}a{color:var(--accent)}
`;

/** Headers for every page: no caching, no framing, no referrer (the URL holds a token), no script. */
export const PAGE_HEADERS: Record<string, string> = {
	'Content-Type': 'text/html; charset=utf-8',
	'Cache-Control': 'no-store',
	'Referrer-Policy': 'no-referrer',
	'X-Frame-Options': 'DENY',
	'X-Content-Type-Options': 'nosniff',
	'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
};

function page(locale: Locale, title: string, body: string, site: MailSite): string {
	const back = `<p class="muted"><a href="${esc(site.pageUrl)}${locale === 'en' ? '/' : `/${locale}/`}">${esc(subscribe_page_back({}, { locale }))}</a></p>`;
	return `<!DOCTYPE html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)} · ${esc(site.botName)}</title><style>${STYLE}</style></head><body><main><h1>${esc(title)}</h1>${body}${back}</main></body></html>`;
}

/** The confirmation link's page: what is asked for, and the button that confirms it (a POST). */
export function confirmPage(subscriber: Subscriber, token: string, site: MailSite): string {
	const { locale } = subscriber;
	const text = subscribe_page_confirm_text({ bot: site.botName, scope: scopeText(subscriber.scope, locale), target: subscriber.hint }, { locale });
	return page(
		locale,
		subscribe_page_confirm_title({}, { locale }),
		`<p>${esc(text)}</p><form method="post" action="${PAGE_PATHS.confirm}"><input type="hidden" name="token" value="${esc(token)}"><button type="submit" data-testid="confirm">${esc(subscribe_page_confirm_button({}, { locale }))}</button></form>`,
		site
	);
}

export function confirmedPage(subscriber: Subscriber, site: MailSite): string {
	const { locale } = subscriber;
	const text = subscribe_page_confirmed({ bot: site.botName, scope: scopeText(subscriber.scope, locale), target: subscriber.hint }, { locale });
	return page(locale, subscribe_page_manage_title({}, { locale }), `<p data-testid="outcome" data-outcome="confirmed">${esc(text)}</p>`, site);
}

/** A link that no longer opens anything (used, expired, removed, or never valid), in `locale`. */
export function invalidLinkPage(locale: Locale, site: MailSite): string {
	return page(locale, subscribe_page_manage_title({}, { locale }), `<p data-testid="outcome" data-outcome="invalid">${esc(subscribe_page_invalid({}, { locale }))}</p>`, site);
}

export function unsubscribedPage(locale: Locale, site: MailSite): string {
	return page(locale, subscribe_page_manage_title({}, { locale }), `<p data-testid="outcome" data-outcome="unsubscribed">${esc(subscribe_page_unsubscribed({}, { locale }))}</p>`, site);
}

const SCOPE_ERROR_TEXT: Partial<Record<ScopeError, (i: Record<string, never>, o: { locale: Locale }) => string>> = {
	empty: find_error_empty,
	not_a_snowflake: find_error_not_a_snowflake,
	direct_message_link: find_error_direct_message_link
};

/** The manage page: what the subscription is about, a form to change it, and the way out (a one-click POST). */
export function managePage(subscriber: Subscriber, token: string, site: MailSite, state: { saved?: boolean; error?: ScopeError; form?: { clusters: string; guild: string } } = {}): string {
	const { locale, scope } = subscriber;
	const l = { locale };
	const t = (s: string) => esc(s);
	const clusters = state.form?.clusters ?? (scope.kind === 'clusters' ? scope.clusterIds.join(', ') : '');
	const guild = state.form?.guild ?? (scope.kind === 'guild' ? scope.guildId : '');
	const radio = (kind: 'bot' | 'clusters' | 'guild', label: string) =>
		`<label><input type="radio" name="scope" value="${kind}"${scope.kind === kind ? ' checked' : ''}> ${t(label)}</label>`;
	const error = state.error ? `<p class="error" role="alert" data-testid="error">${t((SCOPE_ERROR_TEXT[state.error] ?? subscribe_error_clusters)({}, l))}</p>` : '';
	const saved = state.saved ? `<p role="status" data-testid="outcome" data-outcome="saved">${t(subscribe_page_saved({ scope: scopeText(scope, locale) }, l))}</p>` : '';
	const body =
		saved +
		`<p>${t(subscribe_page_manage_text({ target: subscriber.hint, bot: site.botName, scope: scopeText(scope, locale) }, l))}</p>` +
		`<form method="post" action="${PAGE_PATHS.manage}"><input type="hidden" name="token" value="${esc(token)}">` +
		`<fieldset><legend>${t(subscribe_page_manage_change({}, l))}</legend>` +
		radio('bot', subscribe_scope_option_bot({}, l)) +
		radio('clusters', subscribe_scope_option_clusters({}, l)) +
		`<label>${t(subscribe_clusters_label({}, l))}<input type="text" name="clusters" inputmode="numeric" autocomplete="off" value="${esc(clusters)}"></label>` +
		radio('guild', subscribe_scope_option_guild({}, l)) +
		`<label>${t(subscribe_guild_label({}, l))}<input type="text" name="guild" autocomplete="off" spellcheck="false" value="${esc(guild)}"></label>` +
		`</fieldset>${error}<p><button type="submit" data-testid="save">${t(subscribe_page_manage_save({}, l))}</button></p></form>` +
		`<form method="post" action="${PAGE_PATHS.unsubscribe}?token=${esc(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit" class="danger" data-testid="unsubscribe">${t(subscribe_page_unsubscribe_button({}, l))}</button></form>`;
	return page(locale, subscribe_page_manage_title({}, l), body, site);
}
