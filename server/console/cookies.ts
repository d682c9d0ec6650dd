/*
 * The console's two cookies. Names and values are ours (base64url), so reading one needs no
 * decoding: a `Cookie` header is split, and a value that is not base64url is ignored.
 */

/** The value of cookie `name` in a `Cookie` header, if it is there and looks like one of ours. */
export function readCookie(header: string | undefined, name: string): string | undefined {
	if (!header || header.length > 8_192) return undefined;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
		const value = part.slice(eq + 1).trim();
		return /^[A-Za-z0-9_.-]{1,2048}$/.test(value) ? value : undefined;
	}
	return undefined;
}

export interface CookieOptions {
	path: string;
	/** Seconds; 0 deletes the cookie. */
	maxAge: number;
	sameSite: 'Strict' | 'Lax';
	secure: boolean;
}

/** A `Set-Cookie` value: always HttpOnly, so no script on any page can read it. */
export function setCookie(name: string, value: string, o: CookieOptions): string {
	return `${name}=${value}; Path=${o.path}; Max-Age=${o.maxAge}; HttpOnly; SameSite=${o.sameSite}${o.secure ? '; Secure' : ''}`;
}
