import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, type ComponentProps } from 'svelte';
import type { OverallState } from '#shared';
import type { ConnectionState } from '$lib/status/viewer-connection';
import StatusBanner from './StatusBanner.svelte';
import { cleanupMounted, mountComponent } from '#testing/page/mount';

/* *.svelte.spec.ts: props are a $state object, so a test can change them after mount. */

type Props = ComponentProps<typeof StatusBanner>;

afterEach(cleanupMounted);

function render(overrides: Partial<Props> = {}) {
	const props = $state<Props>({
		health: { state: 'operational', up: 16, total: 16 },
		ageMs: 5_000,
		stale: false,
		connection: 'live',
		demo: false,
		locale: 'en',
		...overrides
	});
	const target = mountComponent(StatusBanner, props);
	const q = (id: string) => target.querySelector<HTMLElement>(`[data-testid="${id}"]`);
	return { props, root: target, q, text: (id: string) => q(id)?.textContent?.replace(/\s+/g, ' ').trim() ?? null };
}

describe('StatusBanner', () => {
	it.each([
		{ state: 'operational', headline: 'All shards operational' },
		{ state: 'degraded', headline: 'Partial outage' },
		{ state: 'outage', headline: 'Major outage' },
		{ state: 'unknown', headline: 'Status unknown' }
	] satisfies { state: OverallState; headline: string }[])('$state shows "$headline" and data-state="$state"', ({ state, headline }) => {
		const { q, root } = render({ health: { state, up: 3, total: 16 } });
		expect(root.querySelector('h2')!.textContent!.trim()).toBe(headline);
		expect(q('banner')!.dataset.state).toBe(state);
		// The headline labels the section.
		expect(q('banner')!.getAttribute('aria-labelledby')).toBe(root.querySelector('h2')!.id);
	});

	it('shows "N of M shards up"', () => {
		const { text } = render({ health: { state: 'degraded', up: 12, total: 16 } });
		expect(text('shards-up')).toBe('12 of 16 shards up');
	});

	it.each([
		{ locale: 'en', expected: /^15,999 of 16,000 shards up$/ },
		{ locale: 'de', expected: /^15\.999 of 16\.000 shards up$/ }
	])('formats the shard counts for locale $locale', ({ locale, expected }) => {
		// Messages stay English (the Paraglide locale is not switched); only the numbers follow `locale`.
		const { text } = render({ health: { state: 'degraded', up: 15_999, total: 16_000 }, locale });
		expect(text('shards-up')).toMatch(expected);
	});

	it('hides the shard count while the total is unknown', () => {
		const { q } = render({ health: { state: 'unknown', up: 0, total: 0 } });
		expect(q('shards-up')).toBeNull();
	});

	it('shows how old the data is', () => {
		const { text } = render({ ageMs: 5_000 });
		expect(text('updated')).toBe('Updated 5 seconds ago');
	});

	it('shows the waiting text before the first status', () => {
		const { text } = render({ ageMs: null, health: { state: 'unknown', up: 0, total: 0 } });
		expect(text('updated')).toBe('Waiting for the first status…');
	});

	it('shows the stale badge and explainer only when stale', () => {
		const fresh = render({ stale: false, ageMs: 90_000 });
		expect(fresh.q('stale-badge')).toBeNull();
		expect(fresh.q('banner')!.dataset.stale).toBe('false');
		expect(fresh.root.textContent).not.toContain('may not reflect');

		fresh.props.stale = true;
		flushSync();
		expect(fresh.text('stale-badge')).toBe('Stale');
		expect(fresh.q('banner')!.dataset.stale).toBe('true');
		expect(fresh.root.textContent).toContain('This data is 1m 30s old and may not reflect the current state.');
	});

	it.each([
		[0, 'The connection dropped a moment ago; this data may not reflect the current state.'],
		[9_999, 'The connection dropped a moment ago; this data may not reflect the current state.'],
		[10_000, 'This data is 10s old and may not reflect the current state.']
	])('explains stale data %i ms old as %j', (ageMs, explainer) => {
		expect(render({ stale: true, ageMs }).text('stale-explainer')).toBe(explainer);
	});

	it('shows the demo badge and explainer only for demo data', () => {
		const real = render({ demo: false });
		expect(real.q('demo-badge')).toBeNull();
		expect(real.root.textContent).not.toContain('made-up clusters');

		real.props.demo = true;
		flushSync();
		expect(real.text('demo-badge')).toBe('Demo data');
		expect(real.root.textContent).toContain('made-up clusters');
	});

	it.each([
		{ connection: 'connecting', label: 'Connecting…' },
		{ connection: 'live', label: 'Live' },
		{ connection: 'reconnecting', label: 'Reconnecting…' },
		{ connection: 'offline', label: 'Offline' }
	] satisfies { connection: ConnectionState; label: string }[])('connection $connection reads "$label"', ({ connection, label }) => {
		const { q, text } = render({ connection });
		expect(q('connection')!.dataset.connection).toBe(connection);
		// A visually hidden "Connection:" prefix, then the label.
		expect(text('connection')).toBe(`Connection: ${label}`);
	});

	it('says maintenance instead of outage when maintenance explains it, and only then', () => {
		const { props, q, root } = render({ health: { state: 'outage', up: 0, total: 16 } });
		expect(root.querySelector('h2')!.textContent!.trim()).toBe('Major outage');
		expect(q('banner')!.dataset.maintenance).toBe('false');
		expect(q('maintenance-explainer')).toBeNull();

		props.maintenance = true;
		flushSync();
		expect(root.querySelector('h2')!.textContent!.trim()).toBe('Under maintenance');
		expect(q('banner')!.dataset.maintenance).toBe('true');
		// The real state stays readable for scripts; the words are the planned-work ones.
		expect(q('banner')!.dataset.state).toBe('outage');
		expect(q('maintenance-explainer')!.textContent).toBe('Everything not running normally is covered by planned maintenance.');
		expect(q('announcer')!.textContent).toContain('Status changed: Maintenance');
	});

	describe('live announcer', () => {
		it('is polite, atomic and empty on first render', () => {
			const { q } = render({ health: { state: 'operational', up: 16, total: 16 } });
			const announcer = q('announcer')!;
			expect(announcer.getAttribute('aria-live')).toBe('polite');
			expect(announcer.getAttribute('aria-atomic')).toBe('true');
			expect(announcer.textContent).toBe('');
		});

		it('announces a change of overall state', () => {
			const { props, text } = render({ health: { state: 'operational', up: 16, total: 16 } });
			props.health = { state: 'degraded', up: 12, total: 16 };
			flushSync();
			expect(text('announcer')).toBe('Status changed: Degraded, 12 of 16 shards up.');

			props.health = { state: 'outage', up: 0, total: 16 };
			flushSync();
			expect(text('announcer')).toBe('Status changed: Outage, 0 of 16 shards up.');
		});

		it('formats the announced counts for the locale', () => {
			const { props, text } = render({ health: { state: 'operational', up: 16_000, total: 16_000 }, locale: 'de' });
			props.health = { state: 'degraded', up: 15_000, total: 16_000 };
			flushSync();
			expect(text('announcer')).toContain('15.000');
			expect(text('announcer')).toContain('16.000');
		});

		it('does not announce when only the age changes', () => {
			const { props, text } = render({ health: { state: 'operational', up: 16, total: 16 }, ageMs: 1_000 });
			for (const ageMs of [2_000, 15_000, 60_000, null, 3_000]) {
				props.ageMs = ageMs;
				flushSync();
			}
			props.stale = true;
			props.connection = 'reconnecting';
			flushSync();
			expect(text('announcer')).toBe('');
			// The age did re-render, so the effect really ran against new props.
			expect(text('updated')).toBe('Updated 3 seconds ago');
		});

		it('does not announce a refresh with the same state, even with new numbers or a new object', () => {
			const { props, text } = render({ health: { state: 'degraded', up: 10, total: 16 } });
			props.health = { state: 'degraded', up: 11, total: 16 };
			flushSync();
			props.health = { state: 'degraded', up: 11, total: 16 };
			flushSync();
			expect(text('announcer')).toBe('');
			expect(text('shards-up')).toBe('11 of 16 shards up');
		});

		it('keeps the last announcement when later refreshes keep the state', () => {
			const { props, text } = render({ health: { state: 'operational', up: 16, total: 16 } });
			props.health = { state: 'degraded', up: 12, total: 16 };
			flushSync();
			props.health = { state: 'degraded', up: 13, total: 16 };
			props.ageMs = 20_000;
			flushSync();
			expect(text('announcer')).toBe('Status changed: Degraded, 12 of 16 shards up.');
		});
	});
});
