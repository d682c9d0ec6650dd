// Prelude (node --import) for README fragments that use `url` and `secret` without defining them:
// a bot has them from its own config; here they come from the test's environment. Globals,
// because the block runs as its own module, exactly as the README has it.
globalThis.url = process.env.SHARDBEAT_URL;
globalThis.secret = process.env.SHARDBEAT_BOT_SECRET;
