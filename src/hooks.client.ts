import { getLocale, overwriteGetLocale } from '#i18n/runtime';

/*
 * Paraglide resolves the locale from the URL on every message call. A 16,000-shard page makes
 * tens of thousands of calls per render, so resolve once per URL instead.
 */
export function init(): void {
	const resolve = getLocale;
	let href = '';
	let locale = resolve();
	overwriteGetLocale(() => {
		if (location.href !== href) {
			href = location.href;
			locale = resolve();
		}
		return locale;
	});
}
