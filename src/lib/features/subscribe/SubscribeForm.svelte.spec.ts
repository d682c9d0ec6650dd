import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, tick } from 'svelte';
import SubscribeForm from './SubscribeForm.svelte';
import { SubscribeForm as FormState } from './subscribe-form.svelte';
import { cleanupMounted, mountComponent } from '#testing/page/mount';

/*
 * The subscribe form in jsdom against a fetch that answers as the server does (the server side
 * is tested on real parts in server/subscriptions/subscriptions.spec.ts; the page in Chromium in
 * e2e/subscribe.e2e.ts).
 */

const SERVER = 'http://api.test';
const HOOK = `https://discord.com/api/webhooks/1234567890123456789/${'t'.repeat(68)}`;

afterEach(cleanupMounted);

type Reply = { status: number; body: unknown; headers?: Record<string, string> };
function serverFetch(options: { email: boolean; reply?: (body: Record<string, unknown>) => Reply }) {
	const posted: Record<string, unknown>[] = [];
	const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
		const url = String(input);
		if (url === `${SERVER}/api/v1/subscriptions/options`) return Response.json({ email: options.email, discord: true });
		const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
		posted.push(body);
		const reply = options.reply?.(body) ?? { status: 202, body: { kind: 'email' in body ? 'email' : 'discord', status: 'confirmation_sent' } };
		return Response.json(reply.body, { status: reply.status, headers: reply.headers ?? {} });
	});
	return { fetch, posted };
}

async function render(options: Parameters<typeof serverFetch>[0], locale: 'en' | 'de' = 'en') {
	const server = serverFetch(options);
	const form = new FormState({ serverUrl: SERVER, locale, fetch: server.fetch as typeof fetch });
	const root = mountComponent(SubscribeForm, { form });
	await vi.waitFor(() => expect(form.emailEnabled).not.toBeNull());
	flushSync();
	const get = <T extends Element = HTMLInputElement>(id: string) => root.querySelector<T>(`[data-testid="${id}"]`);
	const type = (id: string, value: string) => {
		const input = get(id)!;
		input.value = value;
		input.dispatchEvent(new Event('input', { bubbles: true }));
		flushSync();
	};
	const choose = (id: string) => {
		get(id)!.click();
		flushSync();
	};
	const submit = async () => {
		root.querySelector('form')!.dispatchEvent(new SubmitEvent('submit', { bubbles: true, cancelable: true }));
		await vi.waitFor(() => expect(form.state).not.toBe('sending'));
		await tick();
		flushSync();
	};
	return { root, form, server, get, type, choose, submit };
}

describe('SubscribeForm', () => {
	it('subscribes an address for "my server" by message link, asking for mail in the page’s language', async () => {
		const f = await render({ email: true }, 'de');
		f.type('subscribe-email', 'ann@example.com');
		f.choose('scope-guild');
		f.type('subscribe-guild', 'https://discord.com/channels/81384788765712384/1/2');
		await f.submit();
		expect(f.server.posted).toEqual([{ email: 'ann@example.com', scope: { kind: 'guild', guild: 'https://discord.com/channels/81384788765712384/1/2' }, locale: 'de' }]);
		const outcome = f.get('subscribe-outcome')!;
		expect(outcome.getAttribute('role')).toBe('status');
		expect(outcome.textContent).toContain('ann@example.com');
		expect(outcome.textContent).toContain('48 hours');
	});

	it('checks fields before sending and focuses the one at fault', async () => {
		const f = await render({ email: true });
		f.choose('scope-clusters');
		f.type('subscribe-email', 'ann@example.com');
		f.type('subscribe-clusters', 'one, two');
		await f.submit();
		expect(f.server.posted).toEqual([]);
		expect(f.get('subscribe-error')!.dataset.error).toBe('clusters');
		expect(f.get('subscribe-clusters')!.getAttribute('aria-invalid')).toBe('true');
		expect(document.activeElement).toBe(f.get('subscribe-clusters'));
		f.type('subscribe-clusters', '2, 5');
		await f.submit();
		expect(f.server.posted[0]).toMatchObject({ scope: { kind: 'clusters', clusterIds: [2, 5] } });
	});

	it('with email off on the server, says so and offers only a Discord channel', async () => {
		const f = await render({ email: false });
		expect(f.get('email-off')!.textContent).toContain('Email notices are off');
		expect(f.get('channel-email')!.disabled).toBe(true);
		expect(f.get('channel-discord')!.checked).toBe(true);
		f.type('subscribe-webhook', HOOK);
		await f.submit();
		expect(f.server.posted).toEqual([{ discordWebhookUrl: HOOK, scope: { kind: 'bot' }, locale: 'en' }]);
		expect(f.get('subscribe-outcome')!.textContent).toContain('test message was posted');
	});

	it('tells a refusal in words: rate limited with the wait, a webhook Discord refused', async () => {
		let answer: Reply = { status: 429, body: { error: { code: 'rate_limited', message: '' } }, headers: { 'Retry-After': '120' } };
		const f = await render({ email: true, reply: () => answer });
		f.type('subscribe-email', 'ann@example.com');
		await f.submit();
		expect(f.get('subscribe-error')!.textContent).toContain('120 seconds');
		answer = { status: 422, body: { error: { code: 'webhook_unreachable', message: '' } } };
		f.choose('channel-discord');
		f.type('subscribe-webhook', HOOK);
		await f.submit();
		expect(f.get('subscribe-error')!.dataset.error).toBe('webhook_unreachable');
		expect(document.activeElement).toBe(f.get('subscribe-webhook'));
	});

	it('keeps the honeypot away from people and screen readers, and sends it as filled', async () => {
		const f = await render({ email: true });
		const trap = f.get('subscribe-honeypot')!;
		expect(trap.tabIndex).toBe(-1);
		expect(trap.closest('[aria-hidden="true"]')).not.toBeNull();
		f.type('subscribe-email', 'ann@example.com');
		f.type('subscribe-honeypot', 'http://spam.example');
		await f.submit();
		expect(f.server.posted[0]).toMatchObject({ website: 'http://spam.example' });
	});

	it('a server that cannot be reached is an error, not a hang', async () => {
		const form = new FormState({ serverUrl: SERVER, locale: 'en', fetch: (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch });
		form.fields.email = 'ann@example.com';
		await form.submit();
		expect(form.error).toBe('offline');
		expect(form.state).toBe('idle');
	});
});
