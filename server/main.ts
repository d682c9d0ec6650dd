import { ConfigError, loadConfig } from './config.ts';
import { createShardbeatServer } from './app.ts';
import { createLogger } from './log.ts';

/* The `npm run server` entry: config from the environment, graceful exit on SIGTERM/SIGINT. */
let loaded;
try {
	loaded = loadConfig(process.env);
} catch (error) {
	if (error instanceof ConfigError) {
		console.error(error.message);
		process.exit(1);
	}
	throw error;
}
const logger = createLogger(loaded.config.logLevel);
for (const warning of loaded.warnings) logger.warn(warning);

const server = createShardbeatServer(loaded.config, { logger });
await server.listen().catch((error: NodeJS.ErrnoException) => {
	if (error.code === 'EADDRINUSE') {
		logger.fatal(`${loaded.config.host}:${loaded.config.port} is already in use; stop the other process or set SHARDBEAT_PORT.`);
		process.exit(1);
	}
	throw error;
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		logger.info({ signal }, 'shutting down');
		void server.close().then(() => process.exit(0));
	});
}
