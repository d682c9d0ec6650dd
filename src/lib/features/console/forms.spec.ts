import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkIncident, checkMaintenance, checkText, fromLocalInput, toLocalInput, type FieldError, type IncidentDraft, type MaintenanceDraft } from './forms.ts';

describe('checkText', () => {
	it.each<[string, number, FieldError | undefined]>([
		['Gateway latency', 200, undefined],
		['  padded  ', 6, undefined],
		['', 200, 'required'],
		[' \n\t ', 200, 'required'],
		['x'.repeat(201), 200, 'too-long'],
		['x'.repeat(200), 200, undefined],
		['line one\nline two\ttabbed', 200, undefined],
		['bell \u0007', 200, 'control-characters'],
		['delete \u007F', 200, 'control-characters']
	])('%j (max %i) → %s', (text, max, error) => {
		expect(checkText(text, max)).toBe(error);
	});
});

const incident: IncidentDraft = { title: ' Slow logins ', message: 'Looking into it.', status: 'investigating', impact: 'minor', clusters: '2, 1' };

describe('checkIncident', () => {
	it('trims the texts and turns the clusters into an ascending list', () => {
		expect(checkIncident(incident)).toEqual({ ok: true, body: { title: 'Slow logins', message: 'Looking into it.', status: 'investigating', impact: 'minor', clusterIds: [1, 2] } });
	});

	it.each<[string, Partial<IncidentDraft>, Partial<Record<keyof IncidentDraft, FieldError>>]>([
		['no title', { title: '' }, { title: 'required' }],
		['a message too long', { message: 'x'.repeat(5_001) }, { message: 'too-long' }],
		['a typo in the clusters', { clusters: '1, two' }, { clusters: 'invalid-clusters' }],
		['too many clusters', { clusters: '0-20000' }, { clusters: 'too-many-clusters' }],
		['everything wrong at once', { title: ' ', message: '', clusters: 'x' }, { title: 'required', message: 'required', clusters: 'invalid-clusters' }]
	])('names the field with %s', (_, change, errors) => {
		expect(checkIncident({ ...incident, ...change })).toEqual({ ok: false, errors });
	});
});

const start = toLocalInput(Date.UTC(2030, 0, 10, 12));
const plus = (input: string, ms: number) => toLocalInput(fromLocalInput(input)! + ms);
const window: MaintenanceDraft = { title: 'DB upgrade', message: '', startsAt: start, endsAt: plus(start, 3_600_000), clusters: '' };

describe('checkMaintenance', () => {
	it('covers the whole bot when no cluster is named, and leaves out an empty message', () => {
		expect(checkMaintenance(window)).toEqual({ ok: true, body: { title: 'DB upgrade', startsAt: fromLocalInput(start), endsAt: fromLocalInput(start)! + 3_600_000, clusterIds: null } });
	});

	it('names the clusters it covers', () => {
		const checked = checkMaintenance({ ...window, clusters: '3-4', message: 'Restarting.' });
		expect(checked.ok && checked.body).toMatchObject({ clusterIds: [3, 4], message: 'Restarting.' });
	});

	it.each<[string, Partial<MaintenanceDraft>, Partial<Record<keyof MaintenanceDraft, FieldError>>]>([
		['no start', { startsAt: '' }, { startsAt: 'invalid-time' }],
		['an impossible date', { endsAt: '2030-02-30T10:00' }, { endsAt: 'invalid-time' }],
		['an end at the start', { endsAt: start }, { endsAt: 'ends-before-start' }],
		['an end before the start', { endsAt: plus(start, -60_000) }, { endsAt: 'ends-before-start' }],
		['a window over 30 days', { endsAt: plus(start, 31 * 86_400_000) }, { endsAt: 'window-too-long' }],
		['a control character in the message', { message: 'a\u0000b' }, { message: 'control-characters' }],
		['a typo in the clusters', { clusters: '1-' }, { clusters: 'invalid-clusters' }]
	])('names the field with %s', (_, change, errors) => {
		expect(checkMaintenance({ ...window, ...change })).toEqual({ ok: false, errors });
	});
});

describe('local input times', () => {
	it.each(['', '2030-01-10', '2030-01-10 10:00', '2030-13-01T10:00', '2030-01-10T25:00', 'tomorrow'])('%j is no time', (value) => {
		expect(fromLocalInput(value)).toBeNull();
	});

	it('read back to the same minute', () => {
		fc.assert(
			fc.property(fc.integer({ min: Date.UTC(2001, 0, 1), max: Date.UTC(2199, 0, 1) }), (at) => {
				const minute = Math.floor(at / 60_000) * 60_000;
				const back = fromLocalInput(toLocalInput(minute));
				// A wall-clock minute repeated when clocks go back may read as its first occurrence.
				expect(back === minute || back === minute - 3_600_000).toBe(true);
			})
		);
	});
});
