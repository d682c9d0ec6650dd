import type { ShardReport, ShardState } from '#shared';
import type { ClusterReport } from '#reporter';

/** The gateway handshake a reconnecting shard walks through, one step per simulator tick. */
const RECONNECT_PATH: ShardState[] = ['reconnecting', 'resuming', 'ready'];
const STARTUP_PATH: ShardState[] = ['connecting', 'identifying', 'waiting-for-guilds', 'ready'];

interface SimShard {
	id: number;
	basePing: number;
	ping: number;
	guilds: number;
	/** Of `guilds`, how many Discord marks unavailable (a Discord outage); 0 otherwise. */
	unavailable: number;
	members: number;
	/** Remaining states to walk through before (or ending at) ready. */
	path: ShardState[];
	state: ShardState;
}

/**
 * One simulated bot process: shards with jittering pings that occasionally reconnect. It has no
 * sockets of its own; `FleetSimulator` pairs it with a real reporter.
 */
export class SimulatedCluster {
	readonly shards: SimShard[];
	startedAt = Date.now();

	constructor(
		readonly id: number,
		readonly shardIds: number[],
		readonly totalShards: number,
		private readonly random: () => number
	) {
		this.shards = shardIds.map((id) => {
			const guilds = 600 + Math.floor(random() * 900);
			const basePing = 40 + random() * 110;
			return { id, basePing, ping: basePing, guilds, unavailable: 0, members: guilds * (60 + Math.floor(random() * 120)), path: [], state: 'ready' };
		});
	}

	/** A fresh process: every shard walks the startup handshake again. */
	restart(now = Date.now()): void {
		this.startedAt = now;
		for (const shard of this.shards) {
			shard.path = [...STARTUP_PATH];
			// Stagger like Discord's identify rate limit does, so shards come up one after another.
			for (let i = 0; i < (shard.id % 4); i++) shard.path.unshift('connecting');
			shard.state = shard.path.shift()!;
		}
	}

	/** Advances one tick: pings jitter, handshakes progress, a shard now and then reconnects. */
	tick(reconnectChance: number): void {
		for (const shard of this.shards) {
			const next = shard.path.shift();
			if (next) shard.state = next;
			else if (shard.state === 'ready' && this.random() < reconnectChance) {
				shard.path = [...RECONNECT_PATH];
				shard.state = shard.path.shift()!;
			}
			// Jitter around the shard's own baseline, kept inside 40–150 ms.
			shard.ping = Math.min(150, Math.max(40, shard.basePing + (this.random() - 0.5) * 30));
		}
	}

	report(now = Date.now()): ClusterReport {
		let guilds = 0;
		let members = 0;
		const shards: ShardReport[] = this.shards.map((s) => {
			guilds += s.guilds;
			members += s.members;
			const up = s.state === 'ready' || s.state === 'resuming';
			// Waiting for guilds, every guild is one READY listed and no GUILD_CREATE has brought yet.
			const unavailableGuilds = s.state === 'waiting-for-guilds' ? s.guilds : s.unavailable;
			return { id: s.id, state: s.state, ...(up ? { ping: Math.round(s.ping) } : {}), guilds: s.guilds, unavailableGuilds };
		});
		return {
			clusterId: this.id,
			totalShards: this.totalShards,
			shardIds: this.shardIds,
			shards,
			guilds,
			members,
			uptimeMs: now - this.startedAt
		};
	}
}
