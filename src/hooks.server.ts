import type { Handle } from '@sveltejs/kit';
import { paraglideMiddleware } from '#i18n/server';

/** Headers every page answer carries (the CSP itself comes from `kit.csp` in svelte.config.js). */
export const SECURITY_HEADERS: Record<string, string> = {
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'strict-origin-when-cross-origin',
	// frame-ancestors in the CSP is the modern form; this covers browsers that only know the old one.
	'X-Frame-Options': 'DENY',
	'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()'
};

/** Resolves the locale from the URL and writes it into `<html lang>` during SSR; adds security headers. */
export const handle: Handle = ({ event, resolve }) =>
	paraglideMiddleware(event.request, async ({ request, locale }) => {
		event.request = request;
		const response = await resolve(event, {
			transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale)
		});
		for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!response.headers.has(name)) response.headers.set(name, value);
		return response;
	});
