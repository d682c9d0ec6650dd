import { localizeHref, type Locale } from '#i18n/runtime';

/**
 * `localizeHref` that keeps a trailing slash. Paraglide drops it when it adds or removes a locale
 * prefix ("/fr/incidents/" → "/de/incidents"), but every route here ends in one
 * (`trailingSlash = 'always'`), so the slash-less link would cost a redirect on every click and
 * name a URL that is not the page's own in hreflang alternates.
 */
export function localizePath(href: string, locale?: Locale): string {
	const localized = localizeHref(href, locale ? { locale } : undefined);
	const wanted = /^[^?#]*\/(?=[?#]|$)/.test(href);
	const [, path = '', rest = ''] = /^([^?#]*)(.*)$/.exec(localized) ?? [];
	return wanted && !path.endsWith('/') ? `${path}/${rest}` : localized;
}
