import { benchPage } from './page.ts';

/* `tsx bench/page-only.ts [--no-build]`: only the page figures, for iterating on render cost. */
const figures = await benchPage([{ clusters: 1_000, shardsPerCluster: 16 }], { build: !process.argv.includes('--no-build'), deltas: 5 });
console.table(figures);
process.exit(0);
