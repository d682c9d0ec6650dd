import { getLocale } from '#i18n/runtime';
import { parseDeepLink } from '$lib/features/links/deep-link';
import { linkPreview, previewFacts } from '$lib/features/links/link-preview';
import { fetchSummary } from '$lib/features/links/summary-client';
import { publicConfig } from '$lib/status/public-config';
import type { PageServerLoad } from './$types';

/**
 * The link preview (og: tags) of the status page. A chat app fetching a shared link reads only
 * the server-rendered HTML, so the overall state comes from the status server's public summary
 * here, with a short timeout; the live status itself still arrives over the socket.
 */
export const load: PageServerLoad = async ({ fetch, url }) => {
	const { serverUrl, botName } = publicConfig();
	const link = parseDeepLink(url.searchParams);
	const summary = await fetchSummary(serverUrl, fetch);
	return { preview: linkPreview({ bot: botName, facts: summary && previewFacts(summary, link), link, page: url, locale: getLocale() }) };
};
