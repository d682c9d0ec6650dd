import { fileURLToPath } from 'node:url';
import { compile, type CompilerOptions } from '@inlang/paraglide-js';

/*
 * The one Paraglide configuration: `npm run i18n` compiles with it, and vite.config.ts hands it to
 * the Vite plugin (the page's dev server, its build, and every vitest project). The compiled
 * messages live in shared-types/, not under src/: the page imports them (`#i18n/messages`), and so
 * do the server's feeds and webhooks through the one incident renderer
 * (shared-types/i18n/incident-text.ts), so every channel words an incident alike.
 */
export const PARAGLIDE = {
	project: './project.inlang',
	outdir: './shared-types/i18n/paraglide',
	strategy: ['url', 'baseLocale'],
	// The plugin's development default is one module per locale; pinned so the dev server, the
	// tests and `npm run i18n` write the same files and never rewrite them under each other.
	outputStructure: 'message-modules'
} satisfies CompilerOptions;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	// Not cleaned first: a dev server or test run reading the folder meanwhile never finds it empty.
	await compile({ ...PARAGLIDE, cleanOutdir: false });
}
