import { afterEach, describe, expect, it } from 'vitest';
import type { ComponentProps } from 'svelte';
import { spreadingIncident, spreadingIncidentAfter } from '#testing/fixtures/incident';
import { cleanupMounted, mountComponent } from '#testing/page/mount';
import ConsoleIncidentCard from './ConsoleIncidentCard.svelte';
import type { IncidentDialog } from './incident-dialog.ts';

/* The incident card offers exactly what the role may do, and each control opens the right dialog. */

afterEach(cleanupMounted);

type Props = ComponentProps<typeof ConsoleIncidentCard>;

function render(overrides: Partial<Props>) {
	const opened: IncidentDialog[] = [];
	const props = $state<Props>({ incident: spreadingIncidentAfter(2), locale: 'en', canEdit: false, canDelete: false, onaction: (d) => opened.push(d), ...overrides });
	const root = mountComponent(ConsoleIncidentCard, props);
	const controls = () => [...root.querySelectorAll<HTMLElement>('button[data-testid]')].map((b) => b.dataset.testid);
	return { root, opened, controls };
}

describe('ConsoleIncidentCard', () => {
	it.each<[string, Partial<Props>, string[]]>([
		['a viewer: no controls at all', { canEdit: false, canDelete: false }, []],
		['an editor, open incident', { canEdit: true }, ['incident-post-update', 'incident-resolve', 'incident-rename', 'edit-update', 'edit-update']],
		['an editor, resolved incident: postmortem instead of update and resolve', { canEdit: true, incident: spreadingIncident() }, ['incident-postmortem', 'incident-rename', 'edit-update', 'edit-update', 'edit-update', 'edit-update']],
		['an owner', { canEdit: true, canDelete: true }, ['incident-post-update', 'incident-resolve', 'incident-rename', 'incident-delete', 'edit-update', 'edit-update']]
	])('%s', (_, props, controls) => {
		expect(render(props).controls()).toEqual(controls);
	});

	it('opens the dialog each control names, for this incident', () => {
		const { root, opened } = render({ canEdit: true, canDelete: true });
		for (const id of ['incident-post-update', 'incident-resolve', 'incident-rename', 'incident-delete']) root.querySelector<HTMLButtonElement>(`[data-testid=${id}]`)!.click();
		root.querySelector<HTMLButtonElement>('[data-testid=edit-update]')!.click();
		expect(opened.map((d) => [d.kind, 'status' in d ? d.status : undefined, 'update' in d ? d.update.id : undefined])).toEqual([
			['update', 'investigating', undefined],
			['update', 'resolved', undefined],
			['rename', undefined, undefined],
			['delete', undefined, undefined],
			['edit-update', undefined, 2]
		]);
		expect(opened.every((d) => d.kind === 'new' || d.incident.id === 4)).toBe(true);
	});

	it('shows the note, the postmortem and when an update was edited', () => {
		const incident = spreadingIncident({ note: 'Only Europe.', postmortem: { message: 'An index was missing.', at: 1 } });
		incident.updates = incident.updates.map((u, i) => (i === 0 ? { ...u, message: 'Reworded.', editedAt: u.at + 60_000 } : u));
		const { root } = render({ incident });
		expect(root.querySelector('[data-testid=incident-note]')!.textContent).toBe('Only Europe.');
		expect(root.querySelector('[data-testid=incident-postmortem-text]')!.textContent).toContain('An index was missing.');
		expect(root.textContent).toMatch(/edited /);
	});
});
