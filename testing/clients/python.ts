import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The stdlib-only Python reference client: the README's discord.py functions, fed a fake client. */
export const PYTHON_CLIENT = fileURLToPath(new URL('./heartbeat.py', import.meta.url));

const BEGIN = '# --- shardbeat-client: begin ---\n';
const END = '# --- shardbeat-client: end ---';

/** The part of heartbeat.py between its `shardbeat-client` markers: what the README's discord.py block carries verbatim. */
export function pythonClientShared(source = readFileSync(PYTHON_CLIENT, 'utf8')): string {
	const begin = source.indexOf(BEGIN);
	const end = source.indexOf(END);
	if (begin < 0 || end < begin) throw new Error(`${PYTHON_CLIENT} lost its shardbeat-client markers`);
	return source.slice(begin + BEGIN.length, end);
}
