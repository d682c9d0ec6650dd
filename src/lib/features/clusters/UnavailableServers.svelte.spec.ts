import { afterEach, describe, expect, it } from 'vitest';
import { getLocale, locales, overwriteGetLocale, type Locale } from '#i18n/runtime';
import { formatNumber } from '$lib/format/format';
import { cleanupMounted, mountComponent } from '#testing/page/mount';
import UnavailableServers from './UnavailableServers.svelte';

const pageLocale = getLocale;
afterEach(() => {
	cleanupMounted();
	overwriteGetLocale(pageLocale);
});

const files = import.meta.glob<{ unavailable_servers: [{ match: Record<string, string> }] }>('/messages/*.json', { eager: true, import: 'default' });

/** The locale's own variants of the message, from its message file. */
function variants(locale: Locale): { one: string; other: string } {
	const [message] = files[`/messages/${locale}.json`]!.unavailable_servers;
	return { one: message.match['countPlural=one']!, other: message.match['countPlural=*']! };
}

function render(count: number | undefined, locale: Locale): string | null {
	overwriteGetLocale(() => locale);
	const target = mountComponent(UnavailableServers, { count, locale });
	return target.querySelector('[data-testid="unavailable-servers"]')?.textContent ?? null;
}

describe.each(locales)('UnavailableServers in %s', (locale) => {
	it.each([
		{ name: 'nothing for 0: only trouble is news', count: 0 },
		{ name: 'nothing when the reporter does not send the count', count: undefined }
	])('$name', ({ count }) => {
		expect(render(count, locale)).toBeNull();
	});

	it.each([1, 2, 1_234, 25_000])('%s: the plural form of the locale, the number formatted for it', (count) => {
		const { one, other } = variants(locale);
		const form = new Intl.PluralRules(locale).select(count) === 'one' ? one : other;
		expect(render(count, locale)).toBe(form.replace('{shown}', formatNumber(count, locale)));
	});
});

it('reads one and many differently in every locale (each has a plural form)', () => {
	for (const locale of locales) expect(render(1, locale)).not.toBe(render(2, locale)?.replace('2', '1'));
});
