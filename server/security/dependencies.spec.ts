import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * `npm audit` cannot reach its endpoint from the machines this is built on (the registry mirror
 * answers 405), so the lockfile itself is checked: every copy of a package that parses bytes from
 * the network, or guards the server, must be at or past the release that fixed its known
 * high-severity advisory. A lockfile update that brings an older copy back fails here.
 */
const FLOORS: { name: string; minimum: string; why: string }[] = [
	{ name: 'socket.io-parser', minimum: '4.2.7', why: 'GHSA-677m-j7p3-52f9 (unbounded binary attachments, fixed 4.2.6) and CVE-2026-69185 (memory exhaustion from crafted packets, fixed 4.2.7)' },
	{ name: 'ws', minimum: '8.17.1', why: 'CVE-2024-37890 (a request with many headers crashes the server, fixed 8.17.1)' },
	{ name: 'engine.io', minimum: '6.6.2', why: 'the first 6.6 release on cookie 0.7 (CVE-2024-47764)' },
	{ name: 'cookie', minimum: '0.7.0', why: 'CVE-2024-47764 (out-of-bounds characters in cookie names, fixed 0.7.0)' },
	{ name: 'socket.io', minimum: '4.8.0', why: 'engine.io 6.6 and socket.io-parser 4.2 lines' },
	{ name: 'jose', minimum: '6.0.0', why: 'the maintained line (JWT verification of viewer tokens)' }
];

type Lock = { packages: Record<string, { version?: string; dev?: boolean }> };
const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as Lock;

/** Every installed copy of `name` that production code can load (nested copies included). */
function copiesOf(name: string): string[] {
	return Object.entries(lock.packages)
		.filter(([path, entry]) => (path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`)) && !entry.dev && entry.version)
		.map(([, entry]) => entry.version!);
}

function compare(a: string, b: string): number {
	const [x, y] = [a, b].map((v) => v.split('-')[0]!.split('.').map(Number));
	for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! - y![i]!;
	return 0;
}

describe('production dependencies past their advisories', () => {
	it('compares versions numerically', () => {
		expect([compare('4.2.10', '4.2.7') > 0, compare('4.2.6', '4.2.7') < 0, compare('8.17.1', '8.17.1'), compare('0.10.0', '0.7.0') > 0]).toEqual([true, true, 0, true]);
	});

	it.each(FLOORS)('$name is at least $minimum: $why', ({ name, minimum }) => {
		const copies = copiesOf(name);
		expect(copies.length, `${name} is not in package-lock.json as a production dependency`).toBeGreaterThan(0);
		for (const version of copies) expect(compare(version, minimum), `${name}@${version} is older than ${minimum}`).toBeGreaterThanOrEqual(0);
	});
});
