import { createShardbeatServer } from '../../server/app.ts';
import type { ServerConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { testServerConfig } from '#testing/server/config';
import { childOptions, serveCommands } from '../ipc.ts';

/*
 * A whole Shardbeat server whose outbox the subscribers bench measures, alone in its process (and
 * on its core). `close` shuts it down as a deploy does (sends in flight acked, claims handed back);
 * the bench may instead kill the process outright.
 */
const options = childOptions<{ config: Partial<ServerConfig> & Record<string, unknown> }>();
const server = createShardbeatServer(testServerConfig(options.config), { logger: createLogger('error') });
const url = await server.listen(0, '127.0.0.1');
await server.history.whenReady();

serveCommands({
	url: () => url,
	/** Resident set size now (no GC first: what the process holds while it works). */
	rss: () => process.memoryUsage().rss,
	stats: () => server.delivery.outbox.stats,
	/** CPU time this process has used, µs: messages per CPU-second is what one core sends, however busy the machine. */
	cpu: () => {
		const u = process.cpuUsage();
		return u.user + u.system;
	},
	close: async () => {
		await server.close();
		return true;
	}
});
