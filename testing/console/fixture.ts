import type { ServerConfig } from '../../server/config.ts';
import type { DiscordOAuthUser } from '../discord/oauth.ts';

/*
 * The console's cast for server specs and e2e: a Discord application, the operator key, one
 * Discord user per role and one nobody listed, and the server config that lets them in.
 */

export const CONSOLE_PAGE = 'http://page.test';
export const OPERATOR_KEY = 'console-spec-operator-key-0123';
export const DISCORD_APP = { clientId: '300000000000000001', clientSecret: 'console-spec-client-secret' };

export const OWNER: DiscordOAuthUser = { id: '400000000000000001', username: 'olga', global_name: 'Olga', avatar: null };
export const EDITOR: DiscordOAuthUser = { id: '400000000000000002', username: 'ed', global_name: null, avatar: 'a_0123456789abcdef0123456789abcdef' };
export const VIEWER: DiscordOAuthUser = { id: '400000000000000003', username: 'vic', global_name: 'Vic', avatar: null };
/** A Discord user `SHARDBEAT_OPERATORS` does not list. */
export const STRANGER: DiscordOAuthUser = { id: '400000000000000099', username: 'mallory', global_name: 'Mallory', avatar: null };

/**
 * Config overrides for a server whose console lets the cast in through the stand-in at
 * `discordBaseUrl` (`startDiscordOAuth(...).baseUrl`), with the page at `page`.
 */
export function consoleConfig(discordBaseUrl: string, page = CONSOLE_PAGE): Partial<ServerConfig> {
	return {
		operatorSecret: OPERATOR_KEY,
		pageUrl: page,
		discordClientId: DISCORD_APP.clientId,
		discordClientSecret: DISCORD_APP.clientSecret,
		discordOAuthUrl: discordBaseUrl,
		operators: [
			{ discordId: OWNER.id, role: 'owner' },
			{ discordId: EDITOR.id, role: 'editor' },
			{ discordId: VIEWER.id, role: 'viewer' }
		]
	};
}
