import { afterEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { cleanupMounted, mountComponent } from '#testing/page/mount';
import ViewSwitch from './ViewSwitch.svelte';
import { VIEW_STORAGE_KEY, ViewChoice } from './view-choice.svelte.ts';

describe('ViewSwitch', () => {
	afterEach(() => {
		cleanupMounted();
		localStorage.clear();
	});

	it('shows the view in force, switches on a choice and remembers it', () => {
		let clusters = $state(500);
		const choice = new ViewChoice(() => clusters);
		const root = mountComponent(ViewSwitch, { choice });
		const radio = (view: string) => root.querySelector<HTMLInputElement>(`[data-testid=view-${view}]`)!;
		expect(root.querySelector('legend')!.textContent).toBe('View');
		expect([radio('cards').checked, radio('compact').checked]).toEqual([false, true]);
		clusters = 50;
		flushSync();
		expect([radio('cards').checked, radio('compact').checked]).toEqual([true, false]);
		radio('compact').click();
		flushSync();
		expect(choice.view).toBe('compact');
		expect(localStorage.getItem(VIEW_STORAGE_KEY)).toBe('compact');
		clusters = 5_000;
		radio('cards').click();
		flushSync();
		expect([radio('cards').checked, radio('compact').checked]).toEqual([true, false]);
		expect(localStorage.getItem(VIEW_STORAGE_KEY)).toBe('cards');
	});
});
