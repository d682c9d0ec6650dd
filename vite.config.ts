import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vitest/config';
import { PARAGLIDE } from './scripts/paraglide.ts';

// The server (unit and e2e projects, no SvelteKit) imports the compiled messages too: every
// project compiles them first, so a spec never runs against messages older than messages/*.json.
const paraglide = () => paraglideVitePlugin(PARAGLIDE);

export default defineConfig({
	plugins: [
		tailwindcss(),
		sveltekit(),
		paraglide()
	],
	test: {
		projects: [
			{
				// Protocol, server and reporter: real sockets on loopback, no browser.
				plugins: [paraglide()],
				test: {
					name: 'unit',
					environment: 'node',
					// *.node.spec.ts: page modules tested in Node against a real server (no jsdom).
					include: ['shared-types/**/*.spec.ts', 'server/**/*.spec.ts', 'src/**/*.node.spec.ts', 'testing/**/*.spec.ts', 'packages/*/src/**/*.spec.ts', 'packages/*/test/**/*.spec.ts'],
					testTimeout: 20_000
				}
			},
			{
				extends: true,
				test: {
					name: 'page',
					environment: 'jsdom',
					include: ['src/**/*.spec.ts'],
					exclude: ['src/**/*.node.spec.ts'],
					setupFiles: ['./src/test-setup.ts']
				},
				resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined
			},
			{
				// Real Chromium against the real server and simulated fleet.
				plugins: [paraglide()],
				test: {
					name: 'e2e',
					environment: 'node',
					include: ['e2e/**/*.e2e.ts'],
					testTimeout: 120_000,
					hookTimeout: 180_000,
					fileParallelism: false
				}
			}
		]
	}
});
