import { createRequire } from 'node:module';

/*
 * Test helpers: real parsers (jsdom's), so the specs check well-formedness, not a regex's idea of
 * it. jsdom ships no types and the repo has no @types/jsdom, so it is loaded through require and
 * given the two members used here rather than an ambient `declare module` that would leak into
 * the whole project.
 */
const { JSDOM } = createRequire(import.meta.url)('jsdom') as {
	JSDOM: { new (html: string): { window: { DOMParser: typeof DOMParser } }; fragment(html: string): DocumentFragment };
};
const { DOMParser: XmlParser } = new JSDOM('').window;

/** Parses `text` as strict XML; throws with the parser's complaint when it is not well-formed. */
export function parseXml(text: string, type: DOMParserSupportedType = 'application/xml'): Document {
	const doc = new XmlParser().parseFromString(text, type);
	const error = doc.getElementsByTagName('parsererror')[0];
	if (error) throw new Error(`not well-formed XML: ${error.textContent}`);
	return doc;
}

/** Parses an HTML fragment as a browser (or a feed reader) would. */
export function parseHtml(html: string): DocumentFragment {
	return JSDOM.fragment(html);
}
