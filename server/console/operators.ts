import { CONSOLE_ROLES, type ConsoleRole } from '#shared';

/** One entry of `SHARDBEAT_OPERATORS`: a Discord user let into the console, with a role. */
export interface OperatorGrant {
	discordId: string;
	role: ConsoleRole;
}

export type OperatorsParse = { ok: true; operators: OperatorGrant[] } | { ok: false; message: string };

/** A Discord user id: a snowflake, 17 to 20 digits. */
const SNOWFLAKE = /^[1-9]\d{16,19}$/;

/**
 * Parses `SHARDBEAT_OPERATORS`: `id:role` pairs separated by commas (spaces around them
 * ignored), e.g. `123456789012345678:owner,234567890123456789:editor`. An empty string lists
 * nobody. Each refusal says which entry is wrong and how it should look.
 */
export function parseOperators(text: string): OperatorsParse {
	const operators: OperatorGrant[] = [];
	const seen = new Set<string>();
	for (const raw of text.split(',')) {
		const entry = raw.trim();
		if (entry === '') continue;
		const [id, role, ...rest] = entry.split(':').map((part) => part.trim());
		const shown = JSON.stringify(entry.slice(0, 60));
		if (rest.length > 0 || role === undefined) return { ok: false, message: `entry ${shown} must be <discord user id>:<role>, e.g. 123456789012345678:editor` };
		if (!SNOWFLAKE.test(id!)) return { ok: false, message: `entry ${shown}: "${id!.slice(0, 30)}" is not a Discord user id (17–20 digits; Discord → Settings → Advanced → Developer Mode, then right-click the user → Copy User ID)` };
		if (!(CONSOLE_ROLES as readonly string[]).includes(role)) return { ok: false, message: `entry ${shown}: role must be one of ${CONSOLE_ROLES.join(', ')}` };
		if (seen.has(id!)) return { ok: false, message: `user ${id} is listed twice; give each user one role` };
		seen.add(id!);
		operators.push({ discordId: id!, role: role as ConsoleRole });
	}
	return { ok: true, operators };
}
