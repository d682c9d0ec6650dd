import { DEFAULTS, DEV_BOT_SECRET, type ServerConfig } from '../server/config.ts';
import { freePort, startStack, type Stack, type StackOptions } from '../scripts/stack.ts';
import { testServerConfig } from './server/config.ts';

export type { Stack } from '../scripts/stack.ts';

export interface TestStackOptions extends Omit<StackOptions, 'config'> {
	/** On top of the test stack's config (see `startTestStack`). */
	config?: Partial<ServerConfig>;
}

/**
 * `startStack` (server, simulated fleet, the built page under wrangler) for e2e tests: the test
 * server config with the page's own origins allowed, the development bot secret, log level
 * `warn`, then `options.config`. Every browser page of the e2e tests comes from 127.0.0.1, so no
 * rate limits; the history starts empty (`:memory:`).
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<Stack> {
	const pagePort = options.pagePort ?? (await freePort());
	const config = testServerConfig({
		allowedOrigins: [...DEFAULTS.allowedOrigins, `http://127.0.0.1:${pagePort}`, `http://localhost:${pagePort}`],
		botSecret: DEV_BOT_SECRET,
		tokenSecret: 'e2e-token-secret-0123456789abcdef0123456789',
		logLevel: 'warn',
		...options.config
	});
	return startStack({ ...options, pagePort, config });
}
