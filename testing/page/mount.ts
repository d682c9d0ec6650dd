import { flushSync, mount, unmount, type Component } from 'svelte';

/*
 * Test-only helper for the component specs: mounts into jsdom with Svelte's own mount/flushSync.
 * Not a *.spec.ts file, so vitest does not collect it. Call `afterEach(cleanupMounted)` in a spec.
 */

const mounted: { component: Record<string, unknown>; target: HTMLElement }[] = [];

/**
 * Appends a fresh container <div> to document.body, mounts `Component` into it with `props`
 * (pass a `$state` object to change props after mount), flushes, and returns the container.
 */
export function mountComponent<Props extends Record<string, any>>(Component: Component<Props>, props: Props): HTMLElement {
	const target = document.createElement('div');
	document.body.append(target);
	const component = mount(Component, { target, props });
	mounted.push({ component, target });
	flushSync();
	return target;
}

/** Unmounts everything mountComponent mounted and empties <body> (bits-ui portals content there). */
export function cleanupMounted(): void {
	for (const { component, target } of mounted.splice(0)) {
		unmount(component);
		target.remove();
	}
	document.body.innerHTML = '';
}
