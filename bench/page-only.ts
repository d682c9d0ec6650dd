import { benchPage } from './page.ts';

/* `tsx bench/page-only.ts [--no-build] [--shards=50000]`: only the page figures, for iterating on render cost. */
const big = process.argv.includes('--shards=50000');
const figures = await benchPage([big ? { clusters: 3_125, shardsPerCluster: 16 } : { clusters: 1_000, shardsPerCluster: 16 }], { build: !process.argv.includes('--no-build'), deltas: 5 });
console.table(figures);
process.exit(0);
