import { getContext, setContext } from 'svelte';
import { StatusStore } from '$lib/status/status-store.svelte';
import { ConsoleApi } from './console-api.ts';
import { ConsoleSession } from './console-session.svelte.ts';

/**
 * The operator console for the page's life: the session, and a live connection with operator
 * scope (full detail whatever the public detail level, and the incident and maintenance pushes
 * every console view follows). Made once by the `/admin/` layout; views get it with `useConsole()`.
 */
export class Console {
	readonly session: ConsoleSession;
	readonly live: StatusStore;
	readonly serverUrl: string;

	constructor(serverUrl: string, fetcher?: typeof fetch) {
		this.serverUrl = serverUrl;
		this.session = new ConsoleSession(new ConsoleApi(serverUrl, fetcher));
		this.live = new StatusStore({
			serverUrl,
			token: null,
			// Operator-scope tokens come with the session; a refusal means it ended (revoked, expired).
			fetchToken: () => this.session.run((api) => api.call('POST /live-token'))
		});
	}

	/** The live connection, while signed in (call from an effect on `session.state`). */
	connect(): () => void {
		return this.live.start();
	}
}

const KEY = Symbol('console');

/** Makes `console` what `useConsole()` returns below the calling component. */
export function provideConsole(console: Console): Console {
	return setContext(KEY, console);
}

/** The console the `/admin/` layout made. */
export function useConsole(): Console {
	const console = getContext<Console | undefined>(KEY);
	if (!console) throw new Error('useConsole() outside the /admin/ layout: wrap the view in it (or provideConsole in a spec).');
	return console;
}
