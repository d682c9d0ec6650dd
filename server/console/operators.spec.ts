import { describe, expect, it } from 'vitest';
import { parseOperators } from './operators.ts';

const A = '123456789012345678';
const B = '23456789012345678';

describe('parseOperators', () => {
	it.each([
		['', []],
		[` ${A}:owner , ${B}:editor `, [{ discordId: A, role: 'owner' }, { discordId: B, role: 'editor' }]],
		[`${A}:viewer,`, [{ discordId: A, role: 'viewer' }]],
		[`${A} : editor`, [{ discordId: A, role: 'editor' }]]
	])('%j is read as %j', (text, operators) => {
		expect(parseOperators(text)).toEqual({ ok: true, operators });
	});

	it.each([
		[`${A}`, 'must be <discord user id>:<role>'],
		[`${A}:owner:x`, 'must be <discord user id>:<role>'],
		['12345:owner', 'is not a Discord user id'],
		[`0${B}:owner`, 'is not a Discord user id'],
		['alice:owner', 'is not a Discord user id'],
		[`${A}:admin`, 'role must be one of viewer, editor, owner'],
		[`${A}:Owner`, 'role must be one of'],
		[`${A}:owner,${A}:viewer`, 'listed twice']
	])('%j is refused: %s', (text, message) => {
		const result = parseOperators(text);
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toContain(message);
	});
});
