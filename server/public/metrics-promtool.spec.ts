import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectBot, heartbeat, METRICS_TOKEN, scrapeMetrics, sendHeartbeat, startServer, type Harness } from '#testing/server/harness';

/*
 * Prometheus' own linter on what a real server exposes, and on the alerting rules the README
 * offers. promtool is Debian's `prometheus` package (`.ci/run` installs it); without it these
 * fail rather than skip, since a skipped check is a check nobody runs.
 */
const RULES_DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));

function promtool(args: string[], input?: string) {
	const run = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: RULES_DIR, timeout: 30_000 });
	return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}`.trim(), missing: (run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' };
}

beforeAll(() => {
	if (promtool(['--version']).missing) {
		throw new Error('promtool is not installed: install Debian\'s prometheus package (apt-get install --no-install-recommends prometheus), as .ci/run does');
	}
});

let h: Harness | undefined;
afterEach(async () => {
	await h?.close();
	h = undefined;
});

describe('promtool', () => {
	it('check metrics finds nothing to object to in a real scrape of a reporting fleet', async () => {
		h = await startServer({ metricsToken: METRICS_TOKEN });
		const bots = await Promise.all([connectBot(h.url), connectBot(h.url)]);
		await sendHeartbeat(bots[0]!, heartbeat(0, [0, 1], 4));
		await sendHeartbeat(bots[1]!, heartbeat(1, [2, 3], 4, { shards: [{ id: 2, state: 'ready', ping: 55, guilds: 3, unavailableGuilds: 1 }, { id: 3, state: 'reconnecting', guilds: 0 }] }));
		await h.server.flush();
		const text = await (await scrapeMetrics(h.url)).text();
		// Every kind of series is there to be checked: fleet, counters, Node process metrics.
		for (const name of ['shardbeat_shard_up', 'shardbeat_shard_state', 'shardbeat_shard_ping_seconds', 'shardbeat_shard_unavailable_guilds', 'shardbeat_cluster_up', 'shardbeat_shards', 'shardbeat_heartbeats_accepted_total', 'shardbeat_process_cpu_seconds_total', 'shardbeat_nodejs_active_handles']) {
			expect(text).toMatch(new RegExp(`^${name}(\\{| )`, 'm'));
		}
		const check = promtool(['check', 'metrics'], text);
		expect(check.output, 'promtool check metrics').toBe('');
		expect(check.status).toBe(0);
	});

	it('check rules accepts deploy/prometheus/shardbeat-alerts.yml', () => {
		const check = promtool(['check', 'rules', 'shardbeat-alerts.yml']);
		expect(check.output).toMatch(/SUCCESS: 6 rules found/);
		expect(check.status).toBe(0);
	});

	it('test rules proves each alert fires when it should (shardbeat-alerts.test.yml)', () => {
		const test = promtool(['test', 'rules', 'shardbeat-alerts.test.yml']);
		expect(test.output).toMatch(/SUCCESS/);
		expect(test.status).toBe(0);
		// Every alert in the rules file has a case in the test file.
		const rules = spawnSync('grep', ['-ho', 'alert: \\w*', 'shardbeat-alerts.yml'], { cwd: RULES_DIR, encoding: 'utf8' }).stdout.match(/\w+$/gm) ?? [];
		const tested = spawnSync('grep', ['-ho', 'alertname: \\w*', 'shardbeat-alerts.test.yml'], { cwd: RULES_DIR, encoding: 'utf8' }).stdout.match(/\w+$/gm) ?? [];
		expect(rules).toHaveLength(6);
		expect(new Set(tested)).toEqual(new Set(rules));
	});
});
