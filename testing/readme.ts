import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/*
 * The README read as tests need it: a section, its fenced code blocks and its tables, each with
 * the README line it starts on, so a test that runs the README's code fails naming the block.
 */

export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));

/** A part of a Markdown document and the 1-based line it starts on in the whole document. */
export interface MarkdownPart {
	text: string;
	line: number;
}

/** One fenced code block: its info string's first word (`ts`, `sh`, …; '' when none) and its code. */
export interface FencedBlock {
	lang: string;
	/** The lines between the fences, with a final newline. */
	code: string;
	/** 1-based line of the opening fence. */
	line: number;
}

/** One pipe table: header cells and row cells, trimmed, with the line of its header. */
export interface MarkdownTable {
	header: string[];
	rows: string[][];
	line: number;
}

/** The README as it is now (read at each call, so an edit is what the next run tests). */
export function readReadme(): string {
	return readFileSync(README_PATH, 'utf8');
}

/**
 * The section under the level-2 heading `## <title>`, up to (not including) the next level-2
 * heading; its subsections (`###`) are part of it. Throws naming the title when there is none.
 */
export function markdownSection(markdown: string, title: string): MarkdownPart {
	const lines = markdown.split('\n');
	// A `## ` line inside a code block (a shell comment, say) is code, not a heading.
	const inCode = codeLines(lines);
	const headings = lines.flatMap((line, i) => (!inCode.has(i) && line.startsWith('## ') ? [i] : []));
	const start = headings.find((i) => lines[i]!.slice(3).trim() === title);
	if (start === undefined) throw new Error(`README has no "## ${title}" section`);
	const end = headings.find((i) => i > start) ?? lines.length;
	return { text: lines.slice(start, end).join('\n'), line: start + 1 };
}

/** Every fenced block (``` or ~~~, closed by CommonMark's rules) of `part`, in order. */
export function fencedBlocks(part: MarkdownPart): FencedBlock[] {
	const lines = part.text.split('\n');
	return fences(lines).map((f) => {
		if (f.end === undefined) throw new Error(`README.md:${part.line + f.start}: a \`\`\`${f.lang} block that is never closed`);
		return { lang: f.lang, code: lines.slice(f.start + 1, f.end).map((l) => `${l}\n`).join(''), line: part.line + f.start };
	});
}

/** Every pipe table of `part` outside code blocks: a `| … |` header, a `|---|` rule, then rows. */
export function markdownTables(part: MarkdownPart): MarkdownTable[] {
	const tables: MarkdownTable[] = [];
	const lines = part.text.split('\n');
	const inCode = codeLines(lines);
	for (let i = 0; i + 1 < lines.length; i++) {
		if (inCode.has(i) || !isRow(lines[i]!) || !/^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[i + 1]!)) continue;
		const table: MarkdownTable = { header: cells(lines[i]!), rows: [], line: part.line + i };
		let j = i + 2;
		for (; j < lines.length && isRow(lines[j]!); j++) table.rows.push(cells(lines[j]!));
		tables.push(table);
		i = j - 1;
	}
	return tables;
}

/** A fenced block's extent: 0-based lines of its opening and closing fences (none if unclosed). */
interface Fence {
	start: number;
	end: number | undefined;
	lang: string;
}

function fences(lines: string[]): Fence[] {
	const found: Fence[] = [];
	let open: { char: string; length: number; fence: Fence } | undefined;
	lines.forEach((line, i) => {
		const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
		// A backtick fence's info string may not hold a backtick (CommonMark): "```x`" is inline code.
		if (!m || (m[1]![0] === '`' && m[2]!.includes('`'))) return;
		const [char, length, info] = [m[1]![0]!, m[1]!.length, m[2]!.trim()];
		if (!open) {
			open = { char, length, fence: { start: i, end: undefined, lang: info.split(/\s+/)[0] ?? '' } };
			found.push(open.fence);
		} else if (char === open.char && length >= open.length && info === '') {
			open.fence.end = i;
			open = undefined;
		}
	});
	return found;
}

/** The lines of `lines` that are fences or code (an unclosed block runs to the end). */
function codeLines(lines: string[]): Set<number> {
	const inside = new Set<number>();
	for (const b of fences(lines)) for (let i = b.start; i <= (b.end ?? lines.length - 1); i++) inside.add(i);
	return inside;
}

function isRow(line: string): boolean {
	return /^\s*\|.*\|\s*$/.test(line);
}

function cells(line: string): string[] {
	return line
		.trim()
		.slice(1, -1)
		.split('|')
		.map((c) => c.trim());
}
