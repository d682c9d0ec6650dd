import { benchPageDom } from './page-dom.ts';

/* `tsx bench/page-dom-only.ts [--no-build]`: only the page's DOM size at 1,000 × 16, for iterating. */
const figures = await benchPageDom(1_000, 16, { build: !process.argv.includes('--no-build') });
console.table(figures.views);
process.exit(0);
