/*
 * Test-only stand-ins for the parts of `document` and `window` that PollScheduler and StatusStore
 * listen to. Not a *.spec.ts file, so vitest does not collect it.
 */

/** A `document` whose visibility the test flips; dispatches 'visibilitychange' like a browser. */
export class StubDocument extends EventTarget {
	visibilityState: DocumentVisibilityState;
	constructor(initial: DocumentVisibilityState = 'visible') {
		super();
		this.visibilityState = initial;
	}
	setVisibility(state: DocumentVisibilityState): void {
		this.visibilityState = state;
		this.dispatchEvent(new Event('visibilitychange'));
	}
}

/** A `window` that only knows how to regain focus. */
export class StubWindow extends EventTarget {
	focus(): void {
		this.dispatchEvent(new Event('focus'));
	}
}

/** A fresh stub `document` (starting `initial`) and `window` pair. */
export function createVisibilityStub(initial: DocumentVisibilityState = 'visible'): { document: StubDocument; window: StubWindow } {
	return { document: new StubDocument(initial), window: new StubWindow() };
}
