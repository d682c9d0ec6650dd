/** Characters XML 1.0 does not allow at all (C0 controls but tab and newlines, lone surrogates, U+FFFE/F). */
export const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Escapes text for XML content and attribute values (feeds, the SVG badge). Operator text can
 * hold anything, and one control character would make a whole document unparsable, so those are
 * dropped, not escaped (XML 1.0 has no way to carry them).
 */
export function escapeXml(text: string): string {
	return text
		.replace(INVALID_XML, '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&apos;');
}
