import { parseArgs } from 'node:util';
import { createReporter } from '#reporter';
import { seededRandom } from '../../server/simulator/random.ts';
import { SimulatedCluster } from '../../server/simulator/simulated-cluster.ts';

/*
 * A bot process reporting the clusters `--ids` (cluster c owns shards 2c and 2c+1 of `--total`)
 * with the real reporter, one connection each: tests kill or freeze one process while others
 * report (e2e/clock.e2e.ts). The simulator CLI numbers its clusters from 0, so two of those could
 * not run side by side.
 *   node --import tsx testing/processes/bot.ts --url … --secret … --ids 4,5 --total 12 --interval 1000
 */
const { values } = parseArgs({
	options: {
		url: { type: 'string' },
		secret: { type: 'string' },
		ids: { type: 'string' },
		total: { type: 'string' },
		interval: { type: 'string', default: '1000' }
	}
});
for (const id of values.ids!.split(',').map(Number)) {
	const cluster = new SimulatedCluster(id, [2 * id, 2 * id + 1], Number(values.total), seededRandom(id + 1));
	createReporter({
		url: values.url!,
		secret: values.secret!,
		intervalMs: Number(values.interval),
		logger: { info() {}, warn() {}, error: (m) => console.error(m) },
		source: () => cluster.report()
	});
}
