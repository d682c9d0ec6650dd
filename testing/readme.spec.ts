import { describe, expect, it } from 'vitest';
import { fencedBlocks, markdownSection, markdownTables, readReadme } from './readme.ts';

const DOC = [
	'# Title', // 1
	'## One', // 2
	'text', // 3
	'```sh', // 4
	'## not a heading: a shell comment', // 5
	'```', // 6
	'### Sub', // 7
	'~~~ts title="x"', // 8
	'const a = 1;', // 9
	'```', // 10: a backtick line does not close a tilde fence
	'~~~', // 11
	'| A | B |', // 12
	'|---|:-:|', // 13
	'| `x` | y |', // 14
	'',
	'## Two', // 16
	'````', // 17
	'```', // 18: shorter than the opening fence, so code
	'````', // 19
	'inline ```js` is not a fence' // 20
].join('\n');

describe('markdownSection', () => {
	it.each([
		['One', 2, '## One\ntext', '|---|:-:|\n| `x` | y |\n'],
		['Two', 16, '## Two\n````', 'not a fence']
	])('"%s" starts at line %i and runs to the next level-2 heading, not one inside code', (title, line, starts, ends) => {
		const section = markdownSection(DOC, title);
		expect(section.line).toBe(line);
		expect(section.text.startsWith(starts)).toBe(true);
		expect(section.text.endsWith(ends)).toBe(true);
	});

	it('names a title that is not there', () => {
		expect(() => markdownSection(DOC, 'Three')).toThrow('README has no "## Three" section');
	});
});

describe('fencedBlocks', () => {
	it.each([
		['One', [{ lang: 'sh', code: '## not a heading: a shell comment\n', line: 4 }, { lang: 'ts', code: 'const a = 1;\n```\n', line: 8 }]],
		['Two', [{ lang: '', code: '```\n', line: 17 }]]
	])('section "%s": each block with its language, code and README line', (title, blocks) => {
		expect(fencedBlocks(markdownSection(DOC, title))).toEqual(blocks);
	});

	it('refuses a block that is never closed, naming its line', () => {
		expect(() => fencedBlocks({ text: 'a\n```py\nx = 1', line: 40 })).toThrow('README.md:41: a ```py block that is never closed');
	});
});

describe('markdownTables', () => {
	it.each([
		['One', [{ header: ['A', 'B'], rows: [['`x`', 'y']], line: 12 }]],
		['Two', []]
	])('section "%s": header, rows and line of each table', (title, tables) => {
		expect(markdownTables(markdownSection(DOC, title))).toEqual(tables);
	});

	it('ignores pipes inside code blocks', () => {
		expect(markdownTables({ text: '```\n| a |\n|---|\n```', line: 1 })).toEqual([]);
	});
});

it('reads the real README', () => {
	expect(markdownSection(readReadme(), 'Add Shardbeat to your bot').text).toContain('npm install @shardbeat/reporter');
});
