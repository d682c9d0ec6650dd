import { readFileSync, writeFileSync } from 'node:fs';
import { SETTINGS_TABLE_MARKERS, settingsTable } from '../server/config.ts';

/*
 * `npm run docs:settings`: rewrites the README's server settings table from `SETTINGS` in
 * server/config.ts; server/config.spec.ts fails while the two disagree.
 */
const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const [start, end] = SETTINGS_TABLE_MARKERS;
const from = readme.indexOf(start);
const to = readme.indexOf(end, from);
if (from < 0 || to < 0) {
	console.error(`README.md has no ${start} … ${end} block to fill.`);
	process.exit(1);
}
const next = `${readme.slice(0, from)}${start}\n\n${settingsTable()}\n\n${readme.slice(to)}`;
if (next === readme) console.log('README.md settings table is up to date.');
else {
	writeFileSync(path, next);
	console.log('README.md settings table rewritten.');
}
