/* How the bench prints its figures: en-US numbers, sizes, pass marks and Markdown tables (the README's). */

/** `n` with `digits` decimals and thousands separators; '—' for NaN and infinities. */
export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
/** Bytes as B under 1 KiB, else KB with one decimal. */
export const kb = (bytes: number) => (bytes < 1024 ? `${fmt(bytes)} B` : `${fmt(bytes / 1024, 1)} KB`);
export const ok = (pass: boolean) => (pass ? '✅' : '❌');

/** A Markdown table's lines, then an empty line. */
export function markdownTable(head: string[], rows: (string | number)[][]): string[] {
	return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), ''];
}
