// Test support, loaded first by every process this test starts with an IPC channel (a bot, the
// ClusterManager, its clusters): when the parent goes, even without cleaning up (a killed test
// worker), so does this process, instead of reconnecting to a vanished stand-in forever. The
// channel is unref'd so that it alone never keeps the process alive.
if (process.send) {
	process.on('disconnect', () => process.exit(0));
	process.channel?.unref();
}
