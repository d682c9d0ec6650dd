import { describe, expect, it } from 'vitest';
import { MemoryConnectionCap } from './connection-cap.ts';

// The shared (Redis) cap runs against a real redis-server in e2e/viewer-cap-scale-out.e2e.ts.
describe('MemoryConnectionCap', () => {
	it('admits up to the limit per IP, counting each IP apart', async () => {
		const cap = new MemoryConnectionCap(2);
		expect(await cap.acquire('1.1.1.1', 'a')).toBe(true);
		expect(await cap.acquire('1.1.1.1', 'b')).toBe(true);
		expect(await cap.acquire('1.1.1.1', 'c')).toBe(false);
		expect(await cap.acquire('2.2.2.2', 'd')).toBe(true);
		expect([cap.held('1.1.1.1'), cap.held('2.2.2.2'), cap.held('3.3.3.3')]).toEqual([2, 1, 0]);
	});

	it('frees a slot on release, and a second release of the same socket frees nothing more', async () => {
		const cap = new MemoryConnectionCap(2);
		await cap.acquire('ip', 'a');
		await cap.acquire('ip', 'b');
		cap.release('ip', 'a');
		cap.release('ip', 'a');
		expect(cap.held('ip')).toBe(1);
		expect(await cap.acquire('ip', 'c')).toBe(true);
		expect(await cap.acquire('ip', 'd')).toBe(false);
	});

	it('releasing a socket it never admitted changes nothing', async () => {
		const cap = new MemoryConnectionCap(1);
		await cap.acquire('ip', 'a');
		cap.release('ip', 'refused-one');
		expect(await cap.acquire('ip', 'b')).toBe(false);
	});

	it('a limit of 0 admits everyone', async () => {
		const cap = new MemoryConnectionCap(0);
		for (let i = 0; i < 100; i++) expect(await cap.acquire('ip', String(i))).toBe(true);
	});
});
