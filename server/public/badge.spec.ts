import { describe, expect, it } from 'vitest';
import { statusBadge } from './badge.ts';
import { parseXml } from '#testing/xml';

const SVG = 'http://www.w3.org/2000/svg';

function parse(svg: string) {
	const doc = parseXml(svg, 'image/svg+xml');
	const root = doc.documentElement;
	const rects = [...root.getElementsByTagNameNS(SVG, 'rect')].filter((r) => r.parentElement?.localName !== 'clipPath');
	const texts = [...root.getElementsByTagNameNS(SVG, 'text')].filter((t) => t.getAttribute('aria-hidden') !== 'true');
	return { root, rects, texts, title: root.getElementsByTagNameNS(SVG, 'title')[0]?.textContent };
}

describe('statusBadge', () => {
	it.each([
		['operational', '#3fb950', 'operational'],
		['degraded', '#d29922', 'degraded'],
		['outage', '#e5534b', 'outage'],
		['maintenance', '#3e63dd', 'maintenance'],
		['unknown', '#9f9f9f', 'unknown']
	] as const)('%s: %s "%s"', (state, color, message) => {
		const { root, rects, texts, title } = parse(statusBadge(state));
		expect(root.localName).toBe('svg');
		expect(root.getAttribute('role')).toBe('img');
		expect(root.getAttribute('aria-label')).toBe(`status: ${message}`);
		expect(title).toBe(`status: ${message}`);
		expect(rects.map((r) => r.getAttribute('fill'))).toEqual(['#555', color]);
		expect(texts.map((t) => t.textContent)).toEqual(['status', message]);
	});

	it('lays the two halves side by side, filling the badge exactly', () => {
		const { root, rects } = parse(statusBadge('degraded', 'my bot'));
		const [left, right] = rects.map((r) => ({ x: Number(r.getAttribute('x') ?? 0), w: Number(r.getAttribute('width')) }));
		expect(left!.x).toBe(0);
		expect(right!.x).toBe(left!.w);
		expect(left!.w + right!.w).toBe(Number(root.getAttribute('width')));
		expect(root.getAttribute('height')).toBe('20');
	});

	it('estimates text widths at Verdana 11px (about 6–7 px a character, plus padding)', () => {
		const { rects } = parse(statusBadge('operational', 'status'));
		const labelWidth = Number(rects[0]!.getAttribute('width'));
		expect(labelWidth - 10).toBeGreaterThanOrEqual(6 * 4);
		expect(labelWidth - 10).toBeLessThanOrEqual(6 * 7);
		// Narrow letters take less room than wide ones.
		const narrow = Number(parse(statusBadge('operational', 'iiiiii')).rects[0]!.getAttribute('width'));
		const wide = Number(parse(statusBadge('operational', 'WWWWWW')).rects[0]!.getAttribute('width'));
		expect(narrow).toBeLessThan(wide);
	});

	it('grows with the label', () => {
		const widths = ['', 'a', 'api', 'my status', 'a much longer label for the bot'].map((label) =>
			Number(parse(statusBadge('operational', label)).root.getAttribute('width'))
		);
		for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThan(widths[i - 1]!);
	});

	it('escapes the label and drops characters XML cannot carry', () => {
		const label = `<script>&"'\u0000x`;
		const svg = statusBadge('outage', label);
		expect(svg).not.toContain('<script>');
		expect(svg).toContain('&lt;script&gt;&amp;&quot;&apos;x');
		expect(svg).not.toContain('\u0000');
		const { root, texts, title } = parse(svg);
		expect(texts[0]!.textContent).toBe(`<script>&"'x`);
		expect(root.getAttribute('aria-label')).toBe(`<script>&"'x: outage`);
		expect(title).toBe(`<script>&"'x: outage`);
	});

	it('uses "status" as the default label', () => {
		expect(statusBadge('operational')).toBe(statusBadge('operational', 'status'));
	});
});
