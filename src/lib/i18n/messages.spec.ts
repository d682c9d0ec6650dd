import { describe, expect, it } from 'vitest';
import { m } from '#i18n/messages';
import { baseLocale, locales, type Locale } from '#i18n/runtime';

/*
 * Guards the translations in messages/*.json and the Paraglide output compiled from them
 * (`npm run i18n`). Paraglide silently falls back to English for a message a locale lacks, and
 * renders the raw key for a message English lacks, so neither shows up as a build error.
 */

/** A message with variants (Paraglide's inlang message format): inputs, a plural selector, and a text per case. */
interface VariantMessage {
	declarations: string[];
	selectors: string[];
	match: Record<string, string>;
}
type Message = string | [VariantMessage];
type Messages = Record<string, Message>;

const files = import.meta.glob<Messages>('/messages/*.json', { eager: true, import: 'default' });

/** Every text a message can render: itself, or each of its variants. */
function texts(message: Message): string[] {
	return typeof message === 'string' ? [message] : Object.values(message[0].match);
}

/** `input count` → count; `local countText = count: number` → [countText, count, number]. */
function declarations(message: VariantMessage) {
	const inputs = message.declarations.filter((d) => d.startsWith('input ')).map((d) => d.slice(6).trim());
	const locals = message.declarations
		.filter((d) => d.startsWith('local '))
		.map((d) => {
			const [, name, source, fn] = /^local (\w+) = (\w+): (\w+)/.exec(d) ?? [];
			return { name: name!, source: source!, fn: fn! };
		});
	return { inputs, locals };
}

function messagesOf(locale: string): Messages {
	const file = files[`/messages/${locale}.json`];
	if (!file) throw new Error(`messages/${locale}.json is missing`);
	// "$schema" is file metadata, not a message.
	return Object.fromEntries(Object.entries(file).filter(([key]) => key !== '$schema'));
}

const en = messagesOf('en');
const keys = Object.keys(en).sort();
const translated = locales.filter((locale) => locale !== baseLocale);

/** The distinct `{name}` placeholders of a message (of all its variants), sorted. */
function placeholders(message: Message): string[] {
	return [...new Set(texts(message).flatMap((text) => [...text.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1]!)))].sort();
}

/** The names a message takes: its placeholders, or a variant message's declared inputs. */
function inputNames(message: Message): string[] {
	return typeof message === 'string' ? placeholders(message) : declarations(message[0]).inputs.sort();
}

/*
 * Messages that may read exactly as in English, per locale. Keep this list short: every other
 * message identical to English is treated as untranslated.
 */
const identicalToEnglish: Partial<Record<string, readonly Locale[]>> = {
	// Only placeholders and punctuation, which German and Spanish write as English does.
	overview_cursor_label: ['de', 'es'],
	// "Ping" is the word Discord and gamers use in all three languages.
	label_ping: ['de', 'fr', 'es'],
	sort_ping: ['de', 'fr', 'es'],
	// "Shard(s)" is a technical term left untranslated in all three languages.
	label_shards: ['de', 'fr', 'es'],
	shard_name: ['de', 'fr', 'es'],
	// "Cluster" is left untranslated in German and French (Spanish writes "Clúster").
	cluster_name: ['de', 'fr'],
	// "shard 11" / "shards 11, 40–41": French and Spanish say it as English does.
	shard_ranges: ['fr', 'es'],
	// "Status" is the usual German word for it.
	webhook_field_status: ['de'],
	// French plural of the untranslated "cluster" (German: "Cluster", Spanish: "Clústeres").
	clusters_heading: ['fr'],
	// "Offline" is the usual German word for it (Discord's German UI uses it too).
	conn_offline: ['de'],
	// "Details" is the usual German UI label ("Einzelheiten" reads stilted).
	cluster_details: ['de'],
	// The compact list's column: "Cluster" as in cluster_name.
	compact_col_cluster: ['de', 'fr'],
	// "14 / 16": numbers only.
	compact_shards: ['de', 'fr', 'es']
,
	// The console: French spells these words as English does; "Name" is German too.
	console_nav_incidents: ['fr'],
	console_incidents_heading: ['fr'],
	console_nav_maintenance: ['fr'],
	console_maintenance_heading: ['fr'],
	console_nav_sessions: ['fr'],
	console_sessions_heading: ['fr'],
	console_audit_session: ['fr'],
	console_field_message: ['fr'],
	console_field_impact: ['fr'],
	console_field_note: ['fr'],
	console_field_name: ['de'],
	// "Clusters" in a Discord embed's field name, as compact_col_cluster.
	outbox_field_clusters: ['fr']
};

function same(a: Message | undefined, b: Message | undefined): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

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

	it('has no empty or whitespace-only message (or variant)', () => {
		const empty = Object.entries(messages).filter(([, message]) => (typeof message !== 'string' && !Array.isArray(message)) || texts(message).some((text) => typeof text !== 'string' || text.trim() === ''));
		expect(empty.map(([key]) => key)).toEqual([]);
	});

	it('uses the same placeholders as English, and no stray braces', () => {
		const problems: string[] = [];
		for (const key of keys) {
			const message = messages[key];
			if (message === undefined) continue; // reported by the key test
			for (const [what, of] of [['placeholders', placeholders], ['inputs', inputNames]] as const) {
				const want = of(en[key]!);
				const got = of(message);
				if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${key}: ${what} {${got.join('}, {')}} instead of {${want.join('}, {')}}`);
			}
			if (texts(message).some((text) => /[{}]/.test(text.replace(/\{[A-Za-z_][A-Za-z0-9_]*\}/g, '')))) problems.push(`${key}: unbalanced or malformed brace`);
		}
		expect(problems).toEqual([]);
	});

	it('keeps every number of the English text (intervals, digit counts, the example ID)', () => {
		const problems: string[] = [];
		for (const key of keys) {
			if (messages[key] === undefined) continue;
			const text = texts(messages[key]).join(' ');
			for (const number of texts(en[key]!).join(' ').match(/\d+/g) ?? []) {
				if (!new RegExp(`(^|\\D)${number}(\\D|$)`).test(text)) problems.push(`${key}: lacks ${number}`);
			}
		}
		expect(problems).toEqual([]);
	});

});

describe.each(translated)('messages/%s.json against English', (locale) => {
	const messages = messagesOf(locale);

	it('is translated: only allowlisted messages read as in English', () => {
		const untranslated = keys.filter((key) => same(messages[key], en[key]) && !mayMatchEnglish(key, locale));
		expect(untranslated).toEqual([]);
	});

	it('has no stale allowlist entry (allowlisted messages really match English)', () => {
		const stale = keys.filter((key) => mayMatchEnglish(key, locale) && !same(messages[key], en[key]));
		expect(stale).toEqual([]);
	});
});

describe.each(locales)('plural variants in %s', (locale) => {
	const messages = messagesOf(locale);
	// CLDR's cases for the language: en one/other; fr one (0 and 1)/many/other; es one/many/other.
	const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;

	it.each(keys.filter((key) => Array.isArray(en[key])))('%s cases every plural category of the language', (key) => {
		const message = messages[key];
		expect(Array.isArray(message), `${key} has variants in English, so it needs them here too`).toBe(true);
		const [variant] = message as [VariantMessage];
		const plurals = declarations(variant).locals.filter((l) => l.fn === 'plural').map((l) => l.name);
		expect(plurals.length, `${key} selects on a plural`).toBeGreaterThan(0);
		for (const selector of plurals) {
			const cases = Object.keys(variant.match).map((k) => Object.fromEntries(k.split(',').map((part) => part.trim().split('=') as [string, string]))[selector]);
			const missing = categories.filter((category) => !cases.includes(category) && !cases.includes('*'));
			expect(missing, `${key}: no variant for ${missing.join(', ')}`).toEqual([]);
		}
	});
});

describe('French typography', () => {
	const fr = messagesOf('fr');

	it('puts a no-break space before : ; ! ? and never a plain space', () => {
		const problems = Object.entries(fr)
			.filter(([, message]) => texts(message).some((text) => / [:;!?]/.test(text) || /[^\s\u00a0\u202f][:;!?](\s|$)/.test(text)))
			.map(([key]) => key);
		expect(problems).toEqual([]);
	});
});

describe('compiled messages (#i18n)', () => {
	type MessageFunction = (inputs?: Record<string, unknown>, options?: { locale?: Locale }) => unknown;
	const compiled = Object.entries(m as unknown as Record<string, unknown>).filter(
		(entry): entry is [string, MessageFunction] => typeof entry[1] === 'function'
	);

	/** A value no translation could contain by accident. */
	const dummy = (name: string) => `⟦${name}:7f3a⟧`;
	/** A dummy per text input, and `count` for the inputs a plural or a number reads. */
	const inputsFor = (key: string, count = 2): Record<string, string | number> => {
		const message = en[key]!;
		if (typeof message === 'string') return Object.fromEntries(placeholders(message).map((name) => [name, dummy(name)]));
		const { inputs, locals } = declarations(message[0]);
		const numeric = new Set(locals.map((l) => l.source));
		return Object.fromEntries(inputs.map((name) => [name, numeric.has(name) ? count : dummy(name)]));
	};

	/** What a message must render, read straight from its JSON: the case CLDR picks for the count, placeholders filled. */
	function expectedText(message: Message, inputs: Record<string, string | number>, locale: Locale): string {
		const values: Record<string, string> = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [name, String(value)]));
		let text = message as string;
		if (typeof message !== 'string') {
			const [variant] = message;
			for (const l of declarations(variant).locals) {
				const n = Number(inputs[l.source]);
				values[l.name] = l.fn === 'plural' ? new Intl.PluralRules(locale).select(n) : new Intl.NumberFormat(locale).format(n);
			}
			const picked = Object.keys(variant.match).find((k) =>
				k.split(',').every((part) => {
					const [selector, value] = part.trim().split('=');
					return value === '*' || values[selector!] === value;
				})
			);
			text = variant.match[picked!]!;
		}
		return text.replace(/\{([A-Za-z_]\w*)\}/g, (_, name: string) => values[name]!);
	}

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
			if (/undefined|NaN/.test(out)) problems.push(`${key}: rendered "undefined" or "NaN"`);
			for (const [name, value] of Object.entries(inputs)) {
				if (typeof value === 'string' && !out.includes(value)) problems.push(`${key}: dropped {${name}}`);
			}
			if (/\{[A-Za-z_]\w*\}/.test(out)) problems.push(`${key}: left a raw placeholder in "${out}"`);
		}
		expect(problems).toEqual([]);
	});

	it.each(locales)('render %s from its own message file, not an English fallback, with its plural forms', (locale) => {
		const messages = messagesOf(locale);
		const problems: string[] = [];
		for (const [key, fn] of compiled) {
			// 0 and 1 are singular in French, 1 alone in the others; a million is "many" in French and Spanish.
			for (const count of [0, 1, 2, 1_000_000]) {
				const inputs = inputsFor(key, count);
				const out = fn(inputs, { locale });
				const english = fn(inputs, { locale: baseLocale });
				if (out !== expectedText(messages[key] ?? '', inputs, locale)) problems.push(`${key} (${count}): compiled output differs from messages/${locale}.json`);
				if (locale !== baseLocale && out === english && !mayMatchEnglish(key, locale)) problems.push(`${key}: renders the English text`);
			}
		}
		expect(problems).toEqual([]);
	});
});
