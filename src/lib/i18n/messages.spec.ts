import { describe, expect, it } from 'vitest';
import { m } from '#i18n/messages';
import { baseLocale, locales, type Locale } from '#i18n/runtime';

/*
 * Guards the translations in messages/*.json and the Paraglide output compiled from them
 * (`npm run i18n`). Paraglide silently falls back to English for a message a locale lacks, and
 * renders the raw key for a message English lacks, so neither shows up as a build error.
 */

type Messages = Record<string, string>;

const files = import.meta.glob<Messages>('/messages/*.json', { eager: true, import: 'default' });

function messagesOf(locale: string): Messages {
	const file = files[`/messages/${locale}.json`];
	if (!file) throw new Error(`messages/${locale}.json is missing`);
	// "$schema" is file metadata, not a message.
	return Object.fromEntries(Object.entries(file).filter(([key]) => key !== '$schema'));
}

const en = messagesOf('en');
const keys = Object.keys(en).sort();
const translated = locales.filter((locale) => locale !== baseLocale);

/** The distinct `{name}` placeholders of a message, sorted. */
function placeholders(text: string): string[] {
	return [...new Set([...text.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1]!))].sort();
}

/*
 * Messages that may read exactly as in English, per locale. Keep this list short: every other
 * message identical to English is treated as untranslated.
 */
const identicalToEnglish: Partial<Record<string, readonly Locale[]>> = {
	// "Ping" is the word Discord and gamers use in all three languages.
	label_ping: ['de', 'fr', 'es'],
	sort_ping: ['de', 'fr', 'es'],
	// "Shard(s)" is a technical term left untranslated in all three languages.
	label_shards: ['de', 'fr', 'es'],
	shard_name: ['de', 'fr', 'es'],
	// "Cluster" is left untranslated in German and French (Spanish writes "Clúster").
	cluster_name: ['de', 'fr'],
	// French plural of the untranslated "cluster" (German: "Cluster", Spanish: "Clústeres").
	clusters_heading: ['fr'],
	// "Offline" is the usual German word for it (Discord's German UI uses it too).
	conn_offline: ['de'],
	// "Details" is the usual German UI label ("Einzelheiten" reads stilted).
	cluster_details: ['de']
};

function mayMatchEnglish(key: string, locale: Locale): boolean {
	return identicalToEnglish[key]?.includes(locale) ?? false;
}

describe('locales', () => {
	it('are English, German, French and Spanish, with English as the base', () => {
		expect(locales).toEqual(['en', 'de', 'fr', 'es']);
		expect(baseLocale).toBe('en');
	});

	it('each have a message file, and no other message file exists', () => {
		expect(Object.keys(files).sort()).toEqual(locales.map((locale) => `/messages/${locale}.json`).sort());
	});

	it('English has messages', () => {
		expect(keys.length).toBeGreaterThan(0);
	});
});

describe.each(locales)('messages/%s.json', (locale) => {
	const messages = messagesOf(locale);

	it('has exactly the keys of en.json', () => {
		expect(Object.keys(messages).sort()).toEqual(keys);
	});

	it('has no empty or whitespace-only message', () => {
		const empty = Object.entries(messages).filter(([, text]) => typeof text !== 'string' || text.trim() === '');
		expect(empty.map(([key]) => key)).toEqual([]);
	});

	it('uses the same placeholders as English, and no stray braces', () => {
		const problems: string[] = [];
		for (const key of keys) {
			const text = messages[key];
			if (typeof text !== 'string') continue; // reported by the key test
			const want = placeholders(en[key]!);
			const got = placeholders(text);
			if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${key}: {${got.join('}, {')}} instead of {${want.join('}, {')}}`);
			if (/[{}]/.test(text.replace(/\{[A-Za-z_][A-Za-z0-9_]*\}/g, ''))) problems.push(`${key}: unbalanced or malformed brace`);
		}
		expect(problems).toEqual([]);
	});

	it('keeps every number of the English text (intervals, digit counts, the example ID)', () => {
		const problems: string[] = [];
		for (const key of keys) {
			const text = messages[key];
			if (typeof text !== 'string') continue;
			for (const number of en[key]!.match(/\d+/g) ?? []) {
				if (!new RegExp(`(^|\\D)${number}(\\D|$)`).test(text)) problems.push(`${key}: lacks ${number}`);
			}
		}
		expect(problems).toEqual([]);
	});

});

describe.each(translated)('messages/%s.json against English', (locale) => {
	const messages = messagesOf(locale);

	it('is translated: only allowlisted messages read as in English', () => {
		const untranslated = keys.filter((key) => messages[key] === en[key] && !mayMatchEnglish(key, locale));
		expect(untranslated).toEqual([]);
	});

	it('has no stale allowlist entry (allowlisted messages really match English)', () => {
		const stale = keys.filter((key) => mayMatchEnglish(key, locale) && messages[key] !== en[key]);
		expect(stale).toEqual([]);
	});
});

describe('French typography', () => {
	const fr = messagesOf('fr');

	it('puts a no-break space before : ; ! ? and never a plain space', () => {
		const problems = Object.entries(fr)
			.filter(([, text]) => / [:;!?]/.test(text) || /[^\s\u00a0\u202f][:;!?](\s|$)/.test(text))
			.map(([key]) => key);
		expect(problems).toEqual([]);
	});
});

describe('compiled messages (#i18n)', () => {
	type MessageFunction = (inputs?: Record<string, string>, options?: { locale?: Locale }) => unknown;
	const compiled = Object.entries(m as unknown as Record<string, unknown>).filter(
		(entry): entry is [string, MessageFunction] => typeof entry[1] === 'function'
	);

	/** A value no translation could contain by accident. */
	const dummy = (name: string) => `⟦${name}:7f3a⟧`;
	const inputsFor = (key: string) => Object.fromEntries(placeholders(en[key]!).map((name) => [name, dummy(name)]));

	it('export exactly one function per message of en.json (run `npm run i18n` if this fails)', () => {
		expect(compiled.map(([key]) => key).sort()).toEqual(keys);
	});

	it.each(locales)('render every message in %s as non-empty text with all inputs', (locale) => {
		const problems: string[] = [];
		for (const [key, fn] of compiled) {
			const inputs = inputsFor(key);
			const out = fn(inputs, { locale });
			if (typeof out !== 'string') {
				problems.push(`${key}: returned ${out === undefined ? 'undefined' : typeof out}`);
				continue;
			}
			if (out.trim() === '') problems.push(`${key}: rendered an empty string`);
			if (out === key) problems.push(`${key}: rendered its own key`);
			if (out.includes('undefined')) problems.push(`${key}: rendered "undefined"`);
			for (const [name, value] of Object.entries(inputs)) {
				if (!out.includes(value)) problems.push(`${key}: dropped {${name}}`);
			}
			if (/\{[A-Za-z_]\w*\}/.test(out)) problems.push(`${key}: left a raw placeholder in "${out}"`);
		}
		expect(problems).toEqual([]);
	});

	it.each(locales)('render %s from its own message file, not an English fallback', (locale) => {
		const messages = messagesOf(locale);
		const problems: string[] = [];
		for (const [key, fn] of compiled) {
			const out = fn(inputsFor(key), { locale });
			const english = fn(inputsFor(key), { locale: baseLocale });
			// The compiled text must be the JSON text with the dummies substituted.
			const expected = (messages[key] ?? '').replace(/\{([A-Za-z_]\w*)\}/g, (_, name: string) => dummy(name));
			if (out !== expected) problems.push(`${key}: compiled output differs from messages/${locale}.json`);
			if (locale !== baseLocale && out === english && !mayMatchEnglish(key, locale)) problems.push(`${key}: renders the English text`);
		}
		expect(problems).toEqual([]);
	});
});
