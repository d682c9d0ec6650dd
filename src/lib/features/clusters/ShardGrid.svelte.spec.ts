import { afterEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { SHARD_STATES, type ClusterStatus, type ShardState } from '#shared';
import { cluster } from '#testing/fixtures/cluster';
import ShardGrid from './ShardGrid.svelte';
import { cleanupMounted, mountComponent } from '#testing/page/mount';

/*
 * Mounted into jsdom with Svelte's own mount/flushSync. Runes are allowed here because the file
 * is named *.svelte.spec.ts, which lets a test change props through a $state object.
 */

afterEach(cleanupMounted);

function render(props: { cluster: ClusterStatus; found?: number | null }) {
	return mountComponent(ShardGrid, props);
}

/** Cluster 3 with one shard per state; `null` leaves the id assigned but unreported. */
const clusterOf = (states: (ShardState | null)[], firstId = 30): ClusterStatus =>
	cluster({ id: 3, states, firstShard: firstId, readyPing: 42, guilds: 100, members: 1_000, startedAt: 0, lastHeartbeatAt: 0 });

const tiles = (root: HTMLElement) => [...root.querySelectorAll<HTMLButtonElement>('.tile')];
const tile = (root: HTMLElement, shard: number) => root.querySelector<HTMLButtonElement>(`.tile[data-shard="${shard}"]`)!;
const zeroTabStops = (root: HTMLElement) => tiles(root).filter((t) => t.tabIndex === 0);

function press(el: Element, key: string) {
	const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
	el.dispatchEvent(event);
	flushSync();
	return event;
}

const ALL_STATES: readonly ShardState[] = SHARD_STATES;

describe('ShardGrid', () => {
	it('renders one tile button per assigned shard id, in order, inside a labelled group', () => {
		const root = render({ cluster: clusterOf(['ready', 'idle', null, 'resuming']) });
		const list = tiles(root);
		expect(list.map((t) => t.dataset.shard)).toEqual(['30', '31', '32', '33']);
		for (const t of list) {
			expect(t.tagName).toBe('BUTTON');
			expect(t.type).toBe('button');
		}
		const group = root.querySelector('[role="group"]')!;
		expect(group.getAttribute('aria-label')).toBe('Shards of cluster 3');
		expect(group.getAttribute('data-cluster')).toBe('3');
	});

	it('draws tiles only for shardIds, not for reported shards the cluster is not assigned', () => {
		const cluster = clusterOf(['ready', 'ready']);
		cluster.shards.push({ id: 99, state: 'ready', ping: 1, guilds: 1 });
		const root = render({ cluster });
		expect(tiles(root).map((t) => t.dataset.shard)).toEqual(['30', '31']);
	});

	it.each([
		{ state: 'ready', kind: 'up' },
		{ state: 'connecting', kind: 'transitional' },
		{ state: 'reconnecting', kind: 'transitional' },
		{ state: 'resuming', kind: 'transitional' },
		{ state: 'identifying', kind: 'transitional' },
		{ state: 'waiting-for-guilds', kind: 'transitional' },
		{ state: 'nearly', kind: 'transitional' },
		{ state: 'idle', kind: 'down' },
		{ state: 'disconnected', kind: 'down' }
	] satisfies { state: ShardState; kind: string }[])('a $state shard is drawn as data-kind="$kind"', ({ state, kind }) => {
		const root = render({ cluster: clusterOf([state]) });
		const t = tile(root, 30);
		expect(t.dataset.kind).toBe(kind);
		expect(t.dataset.state).toBe(state);
	});

	it('an assigned shard with no entry in shards is data-kind="missing"', () => {
		const root = render({ cluster: clusterOf(['ready', null]) });
		expect(tile(root, 31).dataset.kind).toBe('missing');
		expect(tile(root, 31).dataset.state).toBe('missing');
	});

	it('reads without colour: up tiles are blank, the other three kinds have distinct non-empty glyphs', () => {
		const root = render({ cluster: clusterOf([...ALL_STATES, null]) });
		const glyphs = new Map<string, Set<string>>();
		for (const t of tiles(root)) {
			const kind = t.dataset.kind!;
			if (!glyphs.has(kind)) glyphs.set(kind, new Set());
			glyphs.get(kind)!.add(t.textContent!.trim());
		}
		expect([...glyphs.keys()].sort()).toEqual(['down', 'missing', 'transitional', 'up']);
		// One glyph per kind, whatever the exact state inside the kind.
		for (const set of glyphs.values()) expect(set.size).toBe(1);
		const glyph = (kind: string) => [...glyphs.get(kind)!][0]!;
		expect(glyph('up')).toBe('');
		const others = [glyph('transitional'), glyph('down'), glyph('missing')];
		for (const g of others) expect(g).not.toBe('');
		expect(new Set(others).size).toBe(3);
	});

	it.each([
		{ state: 'ready', label: 'Ready' },
		{ state: 'connecting', label: 'Connecting' },
		{ state: 'reconnecting', label: 'Reconnecting' },
		{ state: 'resuming', label: 'Resuming' },
		{ state: 'identifying', label: 'Identifying' },
		{ state: 'waiting-for-guilds', label: 'Waiting for servers' },
		{ state: 'nearly', label: 'Nearly ready' },
		{ state: 'idle', label: 'Idle' },
		{ state: 'disconnected', label: 'Disconnected' },
		{ state: null, label: 'Not reported' }
	] satisfies { state: ShardState | null; label: string }[])('a $state tile is labelled "Shard 30: $label"', ({ state, label }) => {
		const root = render({ cluster: clusterOf([state]) });
		const aria = tile(root, 30).getAttribute('aria-label')!;
		expect(aria).toContain('Shard 30');
		expect(aria).toContain(label);
		expect(aria).toBe(`Shard 30: ${label}`);
	});

	it('is one tab stop: the first tile has tabindex 0, every other tile -1', () => {
		const root = render({ cluster: clusterOf(['ready', 'ready', 'idle', null, 'resuming']) });
		expect(tiles(root).map((t) => t.getAttribute('tabindex'))).toEqual(['0', '-1', '-1', '-1', '-1']);
	});

	it('has no aria-current tile when nothing was found', () => {
		const root = render({ cluster: clusterOf(['ready', 'ready']) });
		expect(root.querySelectorAll('[aria-current]')).toHaveLength(0);
	});

	describe('keyboard', () => {
		it('ArrowRight / ArrowLeft move focus to the next / previous tile and move the tab stop with it', () => {
			const root = render({ cluster: clusterOf(['ready', 'ready', 'ready', 'ready']) });
			const list = tiles(root);
			list[0]!.focus();
			expect(document.activeElement).toBe(list[0]);

			const event = press(list[0]!, 'ArrowRight');
			expect(event.defaultPrevented).toBe(true);
			expect(document.activeElement).toBe(list[1]);
			press(list[1]!, 'ArrowRight');
			expect(document.activeElement).toBe(list[2]);
			expect(zeroTabStops(root)).toEqual([list[2]]);

			press(list[2]!, 'ArrowLeft');
			expect(document.activeElement).toBe(list[1]);
			expect(zeroTabStops(root)).toEqual([list[1]]);
			expect(tiles(root).filter((t) => t.tabIndex === -1)).toHaveLength(3);
		});

		it('Home and End jump to the first and last tile', () => {
			const root = render({ cluster: clusterOf(['ready', 'idle', 'ready', 'resuming', 'ready']) });
			const list = tiles(root);
			list[2]!.focus();
			press(list[2]!, 'End');
			expect(document.activeElement).toBe(list[4]);
			expect(zeroTabStops(root)).toEqual([list[4]]);
			press(list[4]!, 'Home');
			expect(document.activeElement).toBe(list[0]);
			expect(zeroTabStops(root)).toEqual([list[0]]);
		});

		it('stops at the ends instead of wrapping or losing focus', () => {
			const root = render({ cluster: clusterOf(['ready', 'ready', 'ready']) });
			const list = tiles(root);
			list[0]!.focus();
			press(list[0]!, 'ArrowLeft');
			expect(document.activeElement).toBe(list[0]);
			press(list[0]!, 'End');
			press(list[2]!, 'ArrowRight');
			expect(document.activeElement).toBe(list[2]);
			expect(zeroTabStops(root)).toEqual([list[2]]);
		});

		it('ignores other keys (no preventDefault, focus stays)', () => {
			const root = render({ cluster: clusterOf(['ready', 'ready']) });
			const list = tiles(root);
			list[0]!.focus();
			const event = press(list[0]!, 'a');
			expect(event.defaultPrevented).toBe(false);
			expect(document.activeElement).toBe(list[0]);
			expect(zeroTabStops(root)).toEqual([list[0]]);
		});
	});

	describe('found', () => {
		it('marks the found shard aria-current="true" and makes it the tab stop', () => {
			const root = render({ cluster: clusterOf(['ready', 'ready', 'idle', 'ready']), found: 32 });
			expect(tile(root, 32).getAttribute('aria-current')).toBe('true');
			expect(root.querySelectorAll('[aria-current]')).toHaveLength(1);
			expect(zeroTabStops(root)).toEqual([tile(root, 32)]);
			expect(tiles(root).filter((t) => t.tabIndex === -1)).toHaveLength(3);
		});

		it('ignores a found shard that this cluster does not own', () => {
			const root = render({ cluster: clusterOf(['ready', 'ready']), found: 7 });
			expect(root.querySelectorAll('[aria-current]')).toHaveLength(0);
			expect(zeroTabStops(root)).toEqual([tile(root, 30)]);
		});

		it('follows a found prop that changes after mount', () => {
			const props = $state<{ cluster: ClusterStatus; found: number | null }>({ cluster: clusterOf(['ready', 'ready', 'ready']), found: null });
			const root = render(props);
			expect(zeroTabStops(root)).toEqual([tile(root, 30)]);
			props.found = 31;
			flushSync();
			expect(tile(root, 31).getAttribute('aria-current')).toBe('true');
			expect(zeroTabStops(root)).toEqual([tile(root, 31)]);
			props.found = null;
			flushSync();
			expect(root.querySelectorAll('[aria-current]')).toHaveLength(0);
			expect(zeroTabStops(root)).toHaveLength(1);
		});

		// After find-my-shard, arrow keys still move the single tab stop with focus.
		it('moves the tab stop along with focus when arrowing away from the found tile', () => {
			const root = render({ cluster: clusterOf(['ready', 'ready', 'ready']), found: 31 });
			tile(root, 31).focus();
			press(tile(root, 31), 'ArrowRight');
			expect(document.activeElement).toBe(tile(root, 32));
			// Roving tabindex: the focused tile is the one tab stop, so Shift+Tab / Tab return to it.
			expect(zeroTabStops(root)).toEqual([tile(root, 32)]);
		});
	});

	// A re-shard that removes the tab-stop tile must not drop the grid out of the tab order.
	it('keeps exactly one tab stop when the cluster loses shards after the user moved to the end', () => {
		const props = $state<{ cluster: ClusterStatus; found: number | null }>({ cluster: clusterOf(['ready', 'ready', 'ready', 'ready', 'ready']), found: null });
		const root = render(props);
		const list = tiles(root);
		list[0]!.focus();
		press(list[0]!, 'End');
		expect(zeroTabStops(root)).toEqual([list[4]]);

		// A re-shard leaves this cluster two shards.
		props.cluster = clusterOf(['ready', 'ready']);
		flushSync();
		expect(tiles(root)).toHaveLength(2);
		expect(zeroTabStops(root)).toHaveLength(1);
	});

	it('keeps the tab stop on the same shard when shards are added in front of it', () => {
		const props = $state<{ cluster: ClusterStatus; found: number | null }>({ cluster: clusterOf(['ready', 'ready', 'ready'], 30), found: null });
		const root = render(props);
		tile(root, 30).focus();
		press(tile(root, 30), 'ArrowRight');
		expect(zeroTabStops(root)).toEqual([tile(root, 31)]);

		// Re-shard: the cluster now also owns 28 and 29, so shard 31 moves from index 1 to index 3.
		props.cluster = clusterOf(['ready', 'ready', 'ready', 'ready', 'ready'], 28);
		flushSync();
		expect(zeroTabStops(root)).toEqual([tile(root, 31)]);
	});

	it('updates kinds and labels when a shard changes state', () => {
		const props = $state<{ cluster: ClusterStatus; found: number | null }>({ cluster: clusterOf(['ready', 'ready']), found: null });
		const root = render(props);
		expect(tile(root, 31).dataset.kind).toBe('up');
		props.cluster = clusterOf(['ready', 'reconnecting']);
		flushSync();
		expect(tile(root, 31).dataset.kind).toBe('transitional');
		expect(tile(root, 31).getAttribute('aria-label')).toBe('Shard 31: Reconnecting');
		expect(tile(root, 31).textContent!.trim()).not.toBe('');
	});
});
