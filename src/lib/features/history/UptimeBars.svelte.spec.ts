import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, type ComponentProps } from 'svelte';
import type { DailyBars, Incident } from '#shared';
import UptimeBars from './UptimeBars.svelte';
import { cleanupMounted, mountComponent } from '#testing/page/mount';

type Props = ComponentProps<typeof UptimeBars>;

afterEach(cleanupMounted);

/** 90 days ending 2025-06-30: the first 10 untracked, day 60 with 23 minutes down, day 80 with 5 hours. */
function ninetyDays(): DailyBars {
	const days = Array.from({ length: 90 }, (_, i) => new Date(Date.UTC(2025, 5, 30) - (89 - i) * 86_400_000).toISOString().slice(0, 10));
	const downMinutes = days.map((_, i) => (i === 60 ? 23 : i === 80 ? 300 : 0));
	const ratio = days.map((_, i) => (i < 10 ? null : 1 - downMinutes[i]! / 1440));
	return { days, ratio, downMinutes };
}

const outage: Incident = {
	id: 9,
	source: 'auto',
	title: 'Cluster 3 down',
	status: 'resolved',
	impact: 'major',
	startedAt: Date.UTC(2025, 5, 21, 10), // day 80
	resolvedAt: Date.UTC(2025, 5, 21, 15),
	clusterIds: [3],
	shardIds: [24, 25],
	updates: []
};

function render(overrides: Partial<Props> = {}) {
	const props = $state<Props>({ bars: ninetyDays(), uptime: 0.99754, name: 'Shardbeat', incidents: [outage], timeZone: 'UTC', locale: 'en', ...overrides });
	const root = mountComponent(UptimeBars, props);
	const bars = () => [...root.querySelectorAll<HTMLElement>('.uptime-bar')];
	const tooltip = () => root.querySelector<HTMLElement>('[data-testid="bar-tooltip"]');
	return { props, root, bars, tooltip };
}

describe('UptimeBars', () => {
	it('draws one bar per day, oldest first, coloured by downtime', () => {
		const { bars } = render();
		expect(bars()).toHaveLength(90);
		expect(bars()[0]!.dataset.day).toBe('2025-04-02');
		expect(bars()[89]!.dataset.day).toBe('2025-06-30');
		const levels = bars().map((b) => b.dataset.level);
		expect(levels.slice(0, 10)).toEqual(Array(10).fill('none'));
		expect(levels[60]).toBe('minor');
		expect(levels[80]).toBe('major');
		expect(levels.filter((l) => l === 'up')).toHaveLength(78);
	});

	it('is a list with a summary label, and the labels and uptime under it', () => {
		const { root } = render();
		expect(root.querySelector('ol')!.getAttribute('aria-label')).toBe('Shardbeat, last 90 days: 99.75% uptime, downtime on 2 days');
		const text = root.textContent!.replace(/\s+/g, ' ');
		expect(text).toContain('90 days ago');
		expect(text).toContain('99.75% uptime');
		expect(text).toContain('Today');
	});

	it('gives every bar its date and downtime as text, for screen readers', () => {
		const { bars } = render();
		expect(bars()[0]!.textContent!.trim()).toBe('Wed, Apr 2, 2025: No data');
		expect(bars()[60]!.textContent!.trim()).toBe('Sun, Jun 1, 2025: 23 min down');
		expect(bars()[80]!.textContent!.trim()).toBe('Sat, Jun 21, 2025: 5 hr down. Cluster 3 down');
		expect(bars()[89]!.textContent!.trim()).toBe('Mon, Jun 30, 2025: No downtime recorded');
	});

	it('shows one tooltip for the hovered bar, with date, downtime and that day’s incidents', () => {
		const { bars, tooltip, root } = render();
		expect(tooltip()).toBeNull();
		bars()[80]!.dispatchEvent(new Event('pointerover', { bubbles: true }));
		flushSync();
		expect(tooltip()!.textContent!.replace(/\s+/g, ' ').trim()).toBe('Sat, Jun 21, 2025 5 hr down Incidents that day Cluster 3 down');
		expect(bars()[80]!.hasAttribute('data-active')).toBe(true);

		bars()[60]!.dispatchEvent(new Event('pointerover', { bubbles: true }));
		flushSync();
		expect(root.querySelectorAll('[data-testid="bar-tooltip"]')).toHaveLength(1);
		expect(root.querySelector('[data-testid="bar-tooltip-downtime"]')!.textContent).toBe('23 min down');

		root.querySelector('ol')!.dispatchEvent(new Event('pointerleave'));
		flushSync();
		expect(tooltip()).toBeNull();
	});

	it('is one tab stop (today), with arrow keys, Home and End moving focus and the tooltip', () => {
		const { bars, tooltip } = render();
		expect(bars().filter((b) => b.tabIndex === 0).map((b) => b.dataset.index)).toEqual(['89']);

		bars()[89]!.focus();
		flushSync();
		expect(tooltip()!.textContent).toContain('Mon, Jun 30, 2025');
		expect(tooltip()!.textContent).toContain('No downtime recorded');

		const key = (k: string) => {
			document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
			flushSync();
		};
		key('ArrowLeft');
		expect(document.activeElement).toBe(bars()[88]);
		expect(bars()[88]!.tabIndex).toBe(0);
		expect(bars()[89]!.tabIndex).toBe(-1);
		expect(tooltip()!.textContent).toContain('Sun, Jun 29, 2025');

		key('Home');
		expect(document.activeElement).toBe(bars()[0]);
		expect(tooltip()!.textContent).toContain('No data');
		key('ArrowLeft'); // stays at the first day
		expect(document.activeElement).toBe(bars()[0]);
		key('End');
		expect(document.activeElement).toBe(bars()[89]);
		key('Escape');
		expect(tooltip()).toBeNull();
	});

	it('follows new data', () => {
		const { props, bars } = render();
		const next = ninetyDays();
		next.downMinutes[89] = 45;
		next.ratio[89] = 0.96875;
		props.bars = next;
		flushSync();
		expect(bars()[89]!.dataset.level).toBe('partial');
	});
});
