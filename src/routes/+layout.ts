import { browser } from '$app/environment';
import type { ViewerTokenResponse } from '#shared';
import { fetchViewerToken } from '$lib/status/viewer-connection';
import { publicConfig } from '$lib/status/public-config';
import type { LayoutLoad } from './$types';

// `/de/`, `/fr/`, `/es/` answer 200 instead of redirecting to the slash-less form.
export const trailingSlash = 'always';

/**
 * Fetches a short-lived viewer token in the browser. On the server the shell renders without
 * one: status is live data and arrives over the socket, never baked into HTML.
 */
export const load: LayoutLoad = async ({ fetch, route }) => {
	const { serverUrl, botName } = publicConfig();
	let token: ViewerTokenResponse | null = null;
	// The console (/admin/) connects with operator scope once logged in: a public token would go unused.
	if (browser && serverUrl && !route.id?.startsWith('/admin')) {
		// An unreachable server must not hold the page hostage: give up after a few seconds and retry later.
		const timed: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(5_000) });
		token = await fetchViewerToken(serverUrl, timed).catch(() => null);
	}
	return { serverUrl, botName, token };
};
