/*
 * jsdom lays nothing out and has no ResizeObserver, which `bind:clientWidth` needs. This one
 * observes and never reports, as a browser would for an element whose size never changes: a spec
 * sets the width it wants on the component's state instead. Not a *.spec.ts file.
 */
export class SilentResizeObserver {
	observe(): void {}
	unobserve(): void {}
	disconnect(): void {}
}
