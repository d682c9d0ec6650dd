import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectBot, eventually, heartbeat, sendHeartbeat } from '#testing/server/harness';

describe('server process', () => {
	it('closes its sockets and exits 0 on SIGTERM', async () => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
			env: { ...process.env, SHARDBEAT_PORT: '0', SHARDBEAT_BOT_SECRET: 'process-test-secret-123', SHARDBEAT_LOG_LEVEL: 'info' },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		await eventually(() => /"url":"(http[^"]+)"/.test(out), 15_000);
		const url = /"url":"(http[^"]+)"/.exec(out)![1]!;

		const bot = await connectBot(url, { secret: 'process-test-secret-123' });
		expect((await sendHeartbeat(bot, heartbeat(0, [0]))).ok).toBe(true);
		const disconnected = new Promise((resolve) => bot.once('disconnect', resolve));

		child.kill('SIGTERM');
		const [code] = await once(child, 'exit');
		expect(code).toBe(0);
		await disconnected;
		expect(out).toContain('shutting down');
		// Nothing secret in the logs.
		expect(out).not.toContain('process-test-secret-123');
	});
});
