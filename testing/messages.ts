import { readFileSync } from 'node:fs';

/** The page's own message files, so assertions follow the translations instead of copying them. */
export function messages(locale: string): Record<string, string> {
	return JSON.parse(readFileSync(new URL(`../messages/${locale}.json`, import.meta.url), 'utf8'));
}

export function fill(template: string, params: Record<string, string | number>): string {
	return template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k]));
}
