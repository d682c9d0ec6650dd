import { actionErrorText } from './labels.ts';

/**
 * How far a console view's fetch has come, for the view to show a placeholder, its content, or
 * what went wrong. Every view's state class extends it and fetches through `loading`.
 */
export class ConsoleLoading {
	state = $state<'loading' | 'ready' | 'error'>('loading');
	error = $state<string | null>(null);

	/** Runs a fetch: ready when it resolves; when it throws, an error the operator can read, and what was shown stays. */
	protected async loading(fetch: () => Promise<void>): Promise<void> {
		try {
			await fetch();
			this.state = 'ready';
			this.error = null;
		} catch (e) {
			this.state = 'error';
			this.error = actionErrorText(e);
		}
	}
}
