import { chromium } from 'playwright-core';
const [,, url, out, scheme='light', width='1280'] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--no-first-run'] });
const page = await browser.newPage({ viewport: { width: Number(width), height: 1000 }, colorScheme: scheme });
page.on('pageerror', e => console.log('pageerror:', e.message));
const t0 = Date.now();
await page.goto(url);
await page.waitForSelector('[data-testid=cluster-card]', { timeout: 30000 });
console.log('cards visible after', Date.now() - t0, 'ms; cards:', await page.locator('[data-testid=cluster-card]').count(), 'tiles:', await page.locator('.tile[data-shard]').count());
await page.screenshot({ path: out });
// hover a tile to show the tooltip
const tile = page.locator('.tile[data-kind=transitional], .tile[data-kind=down]').first();
if (await tile.count()) { await tile.scrollIntoViewIfNeeded(); await tile.hover(); await page.waitForTimeout(400); await page.screenshot({ path: out.replace('.png','-tooltip.png') }); }
console.log(await page.title());
await browser.close();
