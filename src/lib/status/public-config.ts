import { dev } from '$app/environment';
import { env } from '$env/dynamic/public';

/**
 * The page's runtime settings (see README, "The status page"): the status server's address
 * (a dev build looks on localhost:4000 when none is set; empty: none) and the bot's name.
 */
export function publicConfig(): { serverUrl: string; botName: string } {
	return {
		serverUrl: env.PUBLIC_SHARDBEAT_URL || (dev ? 'http://localhost:4000' : ''),
		botName: env.PUBLIC_SHARDBEAT_BOT_NAME || 'Shardbeat'
	};
}
