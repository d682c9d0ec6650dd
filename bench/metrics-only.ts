import { benchMetricsRender, benchMetricsScrapes } from './metrics.ts';

/* `tsx bench/metrics-only.ts [--quick]`: only the /metrics figures (render cost, shared renders under concurrent scrapes). */
const quick = process.argv.includes('--quick');
console.table(await benchMetricsRender([16_000, 50_000], quick ? 3 : 7));
const scrapes = await benchMetricsScrapes(16_000, 16, quick ? 3 : 5);
console.table({ shared: scrapes.shared, unshared: scrapes.unshared });
process.exit(0);
