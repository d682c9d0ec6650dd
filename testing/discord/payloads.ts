import { snowflake } from './snowflakes.ts';

/*
 * What the stand-in sends, shaped like Discord's own objects (API v10): enough fields that
 * discord.js, Eris and Oceanic.js build their real structures from them without special cases.
 * discord.js, for one, marks a GUILD_CREATE guild unavailable when it has no `channels` array.
 */

/** A guild the stand-in serves, as a test reads it back. */
export interface ServedGuild {
	id: string;
	name: string;
	shardId: number;
	memberCount: number;
	/** False while the stand-in says the guild is in an outage (unavailable in READY, or GUILD_DELETE'd). */
	available: boolean;
}

/** The bot account every stand-in logs in as. */
export const BOT_USER = {
	id: snowflake(1_000_000_000_000n, 1n),
	username: 'Shardbeat Stand-in',
	discriminator: '0',
	global_name: null,
	avatar: null,
	bot: true,
	system: false,
	mfa_enabled: false,
	verified: true,
	email: null,
	flags: 0,
	public_flags: 0
} as const;

/** `GET /applications/@me`: the bot's application, with the same id as its user, as Discord does. */
export const APPLICATION = {
	id: BOT_USER.id,
	name: BOT_USER.username,
	icon: null,
	description: '',
	bot_public: false,
	bot_require_code_grant: false,
	verify_key: '0'.repeat(64),
	flags: 0,
	team: null,
	owner: { ...BOT_USER, bot: false, username: 'owner' }
} as const;

/** READY's `d`: the guilds of the shard listed unavailable, as Discord does before each GUILD_CREATE. */
export function readyPayload(options: { sessionId: string; resumeGatewayUrl: string; shard: [number, number]; guildIds: readonly string[] }) {
	return {
		v: 10,
		user: BOT_USER,
		guilds: options.guildIds.map((id) => ({ id, unavailable: true })),
		session_id: options.sessionId,
		session_type: 'normal',
		resume_gateway_url: options.resumeGatewayUrl,
		shard: options.shard,
		application: { id: APPLICATION.id, flags: APPLICATION.flags },
		private_channels: [],
		relationships: [],
		presences: [],
		guild_join_requests: [],
		geo_ordered_rtc_regions: [],
		user_settings: {},
		_trace: ['["shardbeat-stand-in",{"micros":0}]']
	};
}

/** GUILD_CREATE's `d` for an available guild: one text channel, the @everyone role, no members cached. */
export function guildCreatePayload(guild: ServedGuild) {
	return {
		id: guild.id,
		name: guild.name,
		icon: null,
		splash: null,
		discovery_splash: null,
		owner_id: APPLICATION.owner.id,
		afk_channel_id: null,
		afk_timeout: 300,
		verification_level: 0,
		default_message_notifications: 0,
		explicit_content_filter: 0,
		roles: [{ id: guild.id, name: '@everyone', color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false, icon: null, unicode_emoji: null, position: 0, permissions: '104324673', managed: false, mentionable: false, flags: 0 }],
		emojis: [],
		stickers: [],
		features: [],
		mfa_level: 0,
		application_id: null,
		system_channel_id: null,
		system_channel_flags: 0,
		rules_channel_id: null,
		vanity_url_code: null,
		description: null,
		banner: null,
		premium_tier: 0,
		premium_subscription_count: 0,
		preferred_locale: 'en-US',
		public_updates_channel_id: null,
		nsfw_level: 0,
		premium_progress_bar_enabled: false,
		safety_alerts_channel_id: null,
		joined_at: '2024-01-01T00:00:00.000000+00:00',
		large: guild.memberCount > 250,
		unavailable: false,
		member_count: guild.memberCount,
		voice_states: [],
		members: [],
		channels: [{ id: guild.id, type: 0, guild_id: guild.id, name: 'general', position: 0, permission_overwrites: [], nsfw: false, parent_id: null, topic: null, last_message_id: null, rate_limit_per_user: 0 }],
		threads: [],
		presences: [],
		stage_instances: [],
		guild_scheduled_events: [],
		soundboard_sounds: []
	};
}

/** A Discord JSON error body, e.g. `{ message: '404: Not Found', code: 0 }`. */
export function discordError(status: 401 | 404 | 405, message: 'Unauthorized' | 'Not Found' | 'Method Not Allowed') {
	return { message: `${status}: ${message}`, code: 0 };
}
