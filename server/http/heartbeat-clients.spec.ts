import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PYTHON_CLIENT, pythonClientShared } from '#testing/clients/python';
import { BOT_SECRET, startServer, type Harness } from '#testing/server/harness';

/*
 * Issue 14: the README's reference clients. A stdlib-only Python 3 script posts heartbeats the way
 * the README's discord.py example does — the same code, verbatim — fed a fake AutoShardedClient,
 * and the server shows them in /api/status.
 */

const run = promisify(execFile);
const SCRIPT = PYTHON_CLIENT;
const source = readFileSync(SCRIPT, 'utf8');
const readme = readFileSync('README.md', 'utf8');
/** The script's part that the README carries verbatim. */
const shared = pythonClientShared(source);

let h: Harness | undefined;
afterEach(async () => {
	await h?.close();
	h = undefined;
});

describe('the Python reference client', () => {
	it("is the README's discord.py example, verbatim, and uses nothing but the standard library", () => {
		expect(shared).toContain('def shardbeat_heartbeat(');
		expect(shared).toContain('def discord_py_heartbeat(');
		expect(readme).toContain(shared);
		const imports = [...source.matchAll(/^(?:import|from) (\S+)/gm)].map((m) => m[1]);
		expect(new Set(imports)).toEqual(new Set(['argparse', 'sys', 'json', 'math', 'time', 'urllib.error', 'urllib.request']));
	});

	it('posts heartbeats that show in /api/status, each discord.py state mapped to ours', async () => {
		h = await startServer();
		const { stdout } = await run('python3', [SCRIPT, '--url', h.url, '--secret', BOT_SECRET, '--cluster', '4', '--count', '2', '--interval', '0.1'], { timeout: 20_000 });
		const answers = stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
		expect(answers).toEqual([
			{ ok: true, receivedAt: expect.any(Number), conflicts: [] },
			{ ok: true, receivedAt: expect.any(Number), conflicts: [] }
		]);

		await h.server.flush();
		const status = (await (await fetch(`${h.url}/api/status`)).json()) as { totalShards: number; clusters: Record<string, unknown>[] };
		console.log(`/api/status after the Python client:\n${JSON.stringify(status)}`);
		expect(status.totalShards).toBe(8);
		expect(status.clusters).toEqual([
			expect.objectContaining({
				id: 4,
				lifecycle: 'starting',
				shardIds: [0, 1, 2, 3],
				guilds: 5,
				members: 157,
				shards: [
					{ id: 0, state: 'ready', ping: 42, guilds: 3, unavailableGuilds: 1 },
					{ id: 1, state: 'reconnecting', ping: 250, guilds: 1, unavailableGuilds: 0 },
					{ id: 2, state: 'connecting', ping: null, guilds: 1, unavailableGuilds: 0 },
					{ id: 3, state: 'idle', ping: null, guilds: 0, unavailableGuilds: 0 }
				]
			})
		]);
	});

	it('says why when the server refuses it (a wrong secret), and exits non-zero', async () => {
		h = await startServer();
		const failed = await run('python3', [SCRIPT, '--url', h.url, '--secret', 'not-the-secret', '--count', '1'], { timeout: 20_000 }).catch((e: unknown) => e as { code: number; stderr: string });
		expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('Shardbeat refused the heartbeat (401): Wrong bot secret') });
		expect(h.server.fleet.size).toBe(0);
	});
});
