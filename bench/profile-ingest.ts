import { startChild } from './ipc.ts';

/* `node --cpu-prof --import tsx bench/profile-ingest.ts`: the ingest load against an in-process server, for a CPU profile. */
const { createShardbeatServer } = await import('../server/app.ts');
const { RATE_LIMIT_DEFAULTS, testServerConfig } = await import('#testing/server/config');
const { createLogger } = await import('../server/log.ts');
const { BENCH_BOT_SECRET, BENCH_TOKEN_SECRET } = await import('./fleet-shape.ts');
const server = createShardbeatServer(testServerConfig({ ...RATE_LIMIT_DEFAULTS, botSecret: BENCH_BOT_SECRET, tokenSecret: BENCH_TOKEN_SECRET }), { logger: createLogger('error') });
const url = await server.listen(0, '127.0.0.1');
const bots = startChild('bots', { url }, 1);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const result = await bots.call<{ acked: number }>('flood', { sockets: 64, shardsPerCluster: 16, window: Number(process.env.W ?? 8), durationMs: 6_000, firstCluster: 0 });
const cpu = process.cpuUsage(cpu0);
console.log(`${Math.round(result.acked / ((performance.now() - t0) / 1000))} heartbeats/s, ${Math.round(result.acked / ((cpu.user + cpu.system) / 1e6))} per CPU-second`);
await bots.stop();
await server.close();
process.exit(0);
