import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '#shared';
import { parseHeartbeat } from '../protocol/heartbeat-schema.ts';
import { FleetSimulator } from './fleet-simulator.ts';

/** The simulator's clusters, never started (no reporter, no timer): their reports alone. */
function fleet(seed = 4) {
	return new FleetSimulator({ url: 'http://127.0.0.1:9', secret: 'unused', clusters: 6, shardsPerCluster: 4, seed });
}

const reports = (sim: FleetSimulator) => sim.clusters.map((c) => c.report(c.startedAt + 60_000));
const shards = (sim: FleetSimulator) => reports(sim).flatMap((r) => r.shards);

describe('FleetSimulator: a Discord outage', () => {
	it('a healthy fleet reports every shard with 0 unavailable guilds, and the server accepts it', () => {
		const sim = fleet();
		expect(shards(sim).every((s) => s.unavailableGuilds === 0)).toBe(true);
		for (const report of reports(sim)) expect(parseHeartbeat({ v: PROTOCOL_VERSION, ...report }).ok).toBe(true);
	});

	const cases: { name: string; shardShare: number; guildShare: number; hit: (n: number, of: number) => boolean }[] = [
		{ name: 'every shard hit', shardShare: 1, guildShare: 0.5, hit: (n, of) => n === of },
		{ name: 'about a third of the shards hit (the default)', shardShare: 1 / 3, guildShare: 0.05, hit: (n, of) => n > 0 && n < of },
		{ name: 'no shard hit', shardShare: 0, guildShare: 0.5, hit: (n) => n === 0 }
	];
	it.each(cases)('$name: shards stay ready, their guilds go unavailable, and the server accepts every report', ({ shardShare, guildShare, hit }) => {
		const sim = fleet();
		sim.discordOutage({ shardShare, guildShare });
		const all = shards(sim);
		const affected = all.filter((s) => s.unavailableGuilds! > 0);
		expect(hit(affected.length, all.length)).toBe(true);
		for (const s of all) {
			expect(s.state).toBe('ready');
			expect(s.unavailableGuilds).toBeLessThanOrEqual(Math.ceil(s.guilds * guildShare));
		}
		for (const report of reports(sim)) expect(parseHeartbeat({ v: PROTOCOL_VERSION, ...report }).ok).toBe(true);

		sim.endDiscordOutage();
		expect(shards(sim).every((s) => s.unavailableGuilds === 0)).toBe(true);
	});

	it('a restarted process waiting for its guilds reports them all unavailable', () => {
		const sim = fleet();
		const cluster = sim.clusters[0]!;
		cluster.restart(0);
		// Shard 0 walks connecting → identifying → waiting-for-guilds.
		cluster.tick(0);
		cluster.tick(0);
		const [first] = cluster.report(0).shards;
		expect(first).toMatchObject({ state: 'waiting-for-guilds', unavailableGuilds: first!.guilds });
		cluster.tick(0);
		expect(cluster.report(0).shards[0]).toMatchObject({ state: 'ready', unavailableGuilds: 0 });
	});

	it('outages draw from their own sequence: the same seed builds the same fleet', () => {
		const a = fleet(9);
		const b = fleet(9);
		b.discordOutage();
		b.endDiscordOutage();
		expect(reports(b)).toEqual(reports(a));
	});
});
