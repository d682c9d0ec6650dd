import type { Reroute } from '@sveltejs/kit';
import { deLocalizeUrl } from '#i18n/runtime';

/** `/de/` and `/` render the same route; the locale prefix only picks the language. */
export const reroute: Reroute = (request) => deLocalizeUrl(request.url).pathname;
