import { afterEach, describe, expect, it } from 'vitest';
import { COMPACT_ABOVE, defaultView, VIEW_STORAGE_KEY, ViewChoice } from './view-choice.svelte.ts';

describe('defaultView', () => {
	it.each([
		{ clusters: 0, view: 'cards' },
		{ clusters: COMPACT_ABOVE, view: 'cards' },
		{ clusters: COMPACT_ABOVE + 1, view: 'compact' },
		{ clusters: 3_125, view: 'compact' }
	])('$clusters clusters → $view', ({ clusters, view }) => {
		expect(defaultView(clusters)).toBe(view);
	});
});

describe('ViewChoice', () => {
	afterEach(() => localStorage.clear());

	it('follows the fleet’s size until the visitor chooses, then remembers the choice', () => {
		let clusters = $state(10);
		const choice = new ViewChoice(() => clusters);
		expect(choice.view).toBe('cards');
		clusters = 1_000;
		expect(choice.view).toBe('compact');
		choice.choose('cards');
		expect(choice.view).toBe('cards');
		expect(localStorage.getItem(VIEW_STORAGE_KEY)).toBe('cards');
		expect(new ViewChoice(() => 1_000).view).toBe('cards');
	});

	it.each(['', 'grid', 'COMPACT', '{"view":"cards"}'])('ignores a stored %j', (stored) => {
		localStorage.setItem(VIEW_STORAGE_KEY, stored);
		expect(new ViewChoice(() => 1_000).view).toBe('compact');
		expect(new ViewChoice(() => 5).view).toBe('cards');
	});

	it('still switches when storage refuses to save', () => {
		const original = Storage.prototype.setItem;
		Storage.prototype.setItem = () => {
			throw new DOMException('full', 'QuotaExceededError');
		};
		try {
			const choice = new ViewChoice(() => 5);
			choice.choose('compact');
			expect(choice.view).toBe('compact');
		} finally {
			Storage.prototype.setItem = original;
		}
	});
});
