import type { StatusSummary } from '#shared';
import { escapeXml, INVALID_XML } from './xml.ts';

type BadgeState = StatusSummary['status']['state'];

/** The message and colour of each state, in GitHub's palette so the badge sits well in a README. */
const LOOK: Record<BadgeState, { message: string; color: string }> = {
	operational: { message: 'operational', color: '#3fb950' },
	degraded: { message: 'degraded', color: '#d29922' },
	outage: { message: 'outage', color: '#e5534b' },
	maintenance: { message: 'maintenance', color: '#3e63dd' },
	unknown: { message: 'unknown', color: '#9f9f9f' }
};

/*
 * Advance widths of Verdana at 11px, the font shields.io measures with. The server has no font
 * to measure against, so an estimate it is: exact for lower case and digits, a fair average for
 * the rest. `textLength` on the <text> then makes whatever font the viewer has fit the box.
 */
const WIDTH: Record<string, number> = {
	a: 6.7, b: 6.8, c: 5.7, d: 6.8, e: 6.5, f: 3.8, g: 6.8, h: 7, i: 3, j: 3.8, k: 6.5, l: 3, m: 10.7,
	n: 7, o: 6.7, p: 6.8, q: 6.8, r: 4.7, s: 5.7, t: 4.3, u: 7, v: 6.5, w: 9, x: 6.5, y: 6.5, z: 5.6,
	' ': 3.9, '.': 3.9, ',': 3.9, ':': 4.6, ';': 4.6, '!': 4.6, "'": 3, '|': 4.6, '-': 4.6, _: 7,
	I: 4.6, J: 5, M: 8.6, W: 10.9
};
const DIGIT = 7;
const UPPER = 7.5;
const OTHER = 7;
/** Wide scripts (CJK and the like) and emoji take roughly a full em. */
const WIDE = 11;

/** Estimated width in px of `text` in 11px Verdana. */
function textWidth(text: string): number {
	let width = 0;
	for (const ch of text) {
		const known = WIDTH[ch];
		if (known !== undefined) width += known;
		else if (ch >= '0' && ch <= '9') width += DIGIT;
		else if (ch >= 'A' && ch <= 'Z') width += UPPER;
		else if (ch.codePointAt(0)! >= 0x1100) width += WIDE;
		else width += OTHER;
	}
	return width;
}

/** Five px either side of the text, as shields.io pads. */
const PADDING = 10;

/**
 * A shields.io-style "flat" badge for `state`: `label` on grey on the left, the state's word on
 * its colour on the right, 20 px high. Widths come from estimated Verdana 11px character widths;
 * text is drawn at 10× and scaled down, as shields.io does, for sub-pixel placement. Accessible
 * (`role="img"`, `aria-label`, `<title>`); `label` is operator text and is XML-escaped, with
 * characters XML cannot carry at all dropped.
 */
export function statusBadge(state: BadgeState, label = 'status'): string {
	const { message, color } = LOOK[state] ?? LOOK.unknown;
	const cleanLabel = label.replace(INVALID_XML, '');
	const labelText = Math.round(textWidth(cleanLabel));
	const messageText = Math.round(textWidth(message));
	const labelWidth = labelText + PADDING;
	const messageWidth = messageText + PADDING;
	const width = labelWidth + messageWidth;

	const l = escapeXml(cleanLabel);
	const m = escapeXml(message);
	const title = `${l}: ${m}`;
	// Centres and lengths at the 10× scale the <text> elements are drawn in.
	const labelX = labelWidth * 5;
	const messageX = (labelWidth + messageWidth / 2) * 10;

	return (
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${title}">` +
		`<title>${title}</title>` +
		// The clip only rounds the corners; the badge itself is the two rects.
		`<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>` +
		`<g clip-path="url(#r)">` +
		`<rect width="${labelWidth}" height="20" fill="#555"/>` +
		`<rect x="${labelWidth}" width="${messageWidth}" height="20" fill="${color}"/>` +
		`</g>` +
		`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">` +
		`<text aria-hidden="true" x="${labelX}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${labelText * 10}">${l}</text>` +
		`<text x="${labelX}" y="140" transform="scale(.1)" fill="#fff" textLength="${labelText * 10}">${l}</text>` +
		`<text aria-hidden="true" x="${messageX}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${messageText * 10}">${m}</text>` +
		`<text x="${messageX}" y="140" transform="scale(.1)" fill="#fff" textLength="${messageText * 10}">${m}</text>` +
		`</g>` +
		`</svg>`
	);
}
