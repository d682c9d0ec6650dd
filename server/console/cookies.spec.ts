import { describe, expect, it } from 'vitest';
import { readCookie, setCookie } from './cookies.ts';

describe('readCookie', () => {
	it.each<[string | undefined, string | undefined]>([
		[undefined, undefined],
		['', undefined],
		['s=abc', 'abc'],
		['a=1; s=abc_-.9; b=2', 'abc_-.9'],
		['  s = abc ', 'abc'],
		['xs=abc', undefined], // another cookie whose name ends the same
		['s=', undefined],
		['s=a b', undefined],
		['s="abc"', undefined], // quoted: not one of ours
		['s=abc%00', undefined],
		['s=first; s=second', 'first'], // the browser sends the most specific first
		[`s=${'a'.repeat(2_049)}`, undefined],
		[`x=${'a'.repeat(9_000)}; s=abc`, undefined] // a header that long is refused whole
	])('%j → %j', (header, value) => {
		expect(readCookie(header, 's')).toBe(value);
	});
});

describe('setCookie', () => {
	it('is always HttpOnly, and Secure when asked', () => {
		expect(setCookie('s', 'v', { path: '/', maxAge: 60, sameSite: 'Strict', secure: false })).toBe('s=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict');
		expect(setCookie('s', '', { path: '/x', maxAge: 0, sameSite: 'Lax', secure: true })).toBe('s=; Path=/x; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
	});
});
