import { afterEach, describe, expect, it } from 'vitest';
import Sparkline from './Sparkline.svelte';
import { cleanupMounted, mountComponent } from '#testing/page/mount';

afterEach(cleanupMounted);

function render(values: (number | null)[], locale = 'en') {
	const root = mountComponent(Sparkline, { values, locale });
	return { root, svg: root.querySelector('svg')!, lines: [...root.querySelectorAll('polyline')] };
}

describe('Sparkline', () => {
	it('draws one line per stretch of data, leaving gaps where there is none', () => {
		const values = Array.from({ length: 96 }, (_, i) => (i >= 40 && i < 46 ? null : 50 + (i % 7)));
		const { lines } = render(values);
		expect(lines).toHaveLength(2);
		expect(lines[0]!.getAttribute('points')!.split(' ')).toHaveLength(40);
		expect(lines[1]!.getAttribute('points')!.split(' ')).toHaveLength(50);
	});

	it('labels min, average and max, visibly and for screen readers', () => {
		const { root, svg } = render([40, null, 60, 110]);
		expect(svg.getAttribute('role')).toBe('img');
		expect(svg.getAttribute('aria-label')).toBe('Ping over the last 24 hours: minimum 40 ms, average 70 ms, maximum 110 ms');
		expect(root.querySelector('[data-testid="sparkline-stats"]')!.textContent!.trim()).toBe('Min 40 ms · Avg 70 ms · Max 110 ms');
	});

	it('says so when there is no ping at all', () => {
		const { root, svg, lines } = render([null, null, null]);
		expect(lines).toHaveLength(0);
		expect(svg.getAttribute('aria-label')).toBe('No ping recorded in the last 24 hours');
		expect(root.querySelector('[data-testid="sparkline-stats"]')!.textContent!.trim()).toBe('No ping recorded in the last 24 hours');
	});

	it('marks a lone value between gaps', () => {
		const { lines } = render([null, 80, null]);
		expect(lines).toHaveLength(1);
		expect(lines[0]!.getAttribute('points')!.split(' ')).toHaveLength(2);
	});
});
