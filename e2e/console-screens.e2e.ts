import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_API, type NewIncident, type NewMaintenance } from '#shared';
import type { Locale } from '#i18n/runtime';
import { startTestStack, type Stack } from '#testing/stack';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { messages } from '#testing/messages';
import { OPERATOR_KEY } from '#testing/console/fixture';

/*
 * The console as an operator sees it with a big fleet (200 clusters × 16 shards): every view in
 * each language, light and dark, on a desktop and at 360 px, into screenshots/console-*.png;
 * nothing spills sideways on a phone; and axe-core finds no serious or critical accessibility
 * problem on any view, a dialog included.
 */
const LOCALES: Locale[] = ['en', 'de', 'fr', 'es'];
const VIEWS = ['', 'incidents/', 'maintenance/', 'templates/', 'subscribers/', 'sessions/', 'audit/'] as const;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let stack: Stack;
let browser: Browser;

/** The operator API, as automation would call it (bearer). */
async function operator(method: string, path: string, body?: unknown): Promise<unknown> {
	const res = await fetch(`${stack.serverUrl}${CONSOLE_API}${path}`, {
		method,
		headers: { Authorization: `Bearer ${OPERATOR_KEY}`, 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
	return res.status === 204 ? null : res.json();
}

beforeAll(async () => {
	stack = await startTestStack({
		fleet: { clusters: 200, shardsPerCluster: 16, intervalMs: 2_000, reconnectChance: 0, deathChance: 0 },
		config: { heartbeatIntervalMs: 2_000, operatorSecret: OPERATOR_KEY, consoleKeyLogin: true }
	});
	await stack.server.history.whenReady();
	const now = Date.now();
	const incident = (await operator('POST', '/incidents', { title: 'Slow logins in Europe', message: 'We are looking into slow logins on clusters 12–14.', impact: 'major', clusterIds: [12, 13, 14] } satisfies NewIncident)) as { id: number };
	await operator('POST', `/incidents/${incident.id}/updates`, { status: 'identified', message: 'Discord confirmed a gateway problem in Frankfurt.' });
	const old = (await operator('POST', '/incidents', { title: 'Delayed commands', message: 'Commands answer late.', impact: 'minor' } satisfies NewIncident)) as { id: number };
	await operator('POST', `/incidents/${old.id}/updates`, { status: 'resolved', message: 'Commands are fast again.' });
	await operator('PUT', `/incidents/${old.id}/postmortem`, { message: 'A slow database query; it has an index now.' });
	await operator('POST', '/maintenance', { title: 'Database upgrade', message: 'Clusters restart one by one.', startsAt: now + 86_400_000, endsAt: now + 86_400_000 + 3_600_000, clusterIds: [1, 2, 3] } satisfies NewMaintenance);
	await operator('POST', '/maintenance', { title: 'Gateway restart', startsAt: now - 60_000, endsAt: now + 1_800_000, clusterIds: [40] } satisfies NewMaintenance);
	await operator('POST', '/templates', { name: 'Gateway degraded', title: 'Discord gateway degraded', message: 'Discord’s gateway is slow; shards reconnect on their own.', status: 'investigating', impact: 'minor' });
	browser = await launchChromium();
}, 300_000);

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
});

/** A console page logged in with the operator key (bypassing the CSP only so axe can be injected). */
async function consolePage(locale: Locale, width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
	const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme, bypassCSP: true });
	const page = await context.newPage();
	await page.goto(`${stack.page.url}${locale === 'en' ? '' : `/${locale}`}/admin/`);
	await page.getByTestId('login-key').fill(OPERATOR_KEY);
	await page.getByTestId('login-key-submit').click();
	await page.getByTestId('console-user').waitFor({ timeout: 15_000 });
	return page;
}

/** Goes to console view `view` in `locale` the way a user would: through the nav. */
async function show(page: Page, locale: Locale, view: (typeof VIEWS)[number]): Promise<void> {
	await page.goto(`${stack.page.url}${locale === 'en' ? '' : `/${locale}`}/admin/${view}`);
	await page.getByTestId('console-user').waitFor({ timeout: 15_000 });
	const ready = {
		'': '[data-testid=cluster-card], [data-testid=compact-row]',
		'incidents/': '[data-testid=console-incident]',
		'maintenance/': '[data-testid=maintenance-window]',
		'templates/': '[data-testid=template]',
		'subscribers/': '[data-testid=subscriber-counts]',
		'sessions/': '[data-testid=session]',
		'audit/': '[data-testid=audit-entry]'
	}[view];
	await page.locator(ready).first().waitFor({ timeout: 30_000 });
}

/** axe-core's serious and critical violations on the page as it is now. */
async function axe(page: Page): Promise<string[]> {
	await page.evaluate(AXE);
	const result = await page.evaluate(() => (window as unknown as { axe: { run: (o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run({ resultTypes: ['violations'] }));
	return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

describe('the console with 200 × 16 shards', () => {
	it.each(LOCALES)('in %s: every view, light and dark, 1280 and 360 px wide, screenshotted, nothing wider than the screen', async (locale) => {
		const t = messages(locale);
		for (const width of [1280, 360]) {
			for (const scheme of ['light', 'dark'] as const) {
				const login = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
				await login.goto(`${stack.page.url}${locale === 'en' ? '' : `/${locale}`}/admin/`);
				await login.getByTestId('login-key').waitFor();
				await login.screenshot({ path: `${SCREENSHOTS}console-${locale}-${scheme}-${width}-login.png` });
				await login.close();

				const page = await consolePage(locale, width, scheme);
				for (const view of VIEWS) {
					await show(page, locale, view);
					expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${view} at ${width}`).toBe(true);
					await page.screenshot({ path: `${SCREENSHOTS}console-${locale}-${scheme}-${width}-${view.replace('/', '') || 'fleet'}.png` });
				}
				await show(page, locale, 'incidents/');
				await page.getByTestId('incident-new').click();
				await page.getByTestId('incident-dialog').waitFor();
				expect(await page.getByTestId('incident-dialog').getByRole('heading').first().textContent()).toBe(t.console_incident_new);
				await page.screenshot({ path: `${SCREENSHOTS}console-${locale}-${scheme}-${width}-incident-dialog.png` });
				await page.context().close();
			}
		}
	});

	it.each(['light', 'dark'] as const)('has no serious or critical axe-core violation on any view (%s)', async (scheme) => {
		const login = await browser.newPage({ colorScheme: scheme, bypassCSP: true });
		await login.goto(`${stack.page.url}/admin/`);
		await login.getByTestId('login-key').waitFor();
		expect(await axe(login), 'login').toEqual([]);
		// The check can fail: a button without a name is a serious violation.
		await login.evaluate(() => document.body.append(document.createElement('button')));
		expect((await axe(login)).some((v) => v.startsWith('button-name'))).toBe(true);
		await login.close();

		const page = await consolePage('en', 1280, scheme);
		for (const view of VIEWS) {
			await show(page, 'en', view);
			expect(await axe(page), view || 'fleet').toEqual([]);
		}
		await show(page, 'en', 'incidents/');
		await page.getByTestId('incident-new').click();
		await page.getByTestId('incident-dialog').waitFor();
		expect(await axe(page), 'incident dialog').toEqual([]);
		await page.context().close();
	});
});
