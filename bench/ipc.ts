import { startProcess, type Child } from '#testing/processes/ipc';

export { childOptions, PROCESS_LIFETIME_MS, serveCommands, type Child } from '#testing/processes/ipc';

/**
 * Starts `bench/processes/<name>.ts` as its own Node process, pinned to `cpu` when `taskset`
 * exists (so "one server core" means one core), talking to the bench over Node's IPC channel.
 */
export function startChild(name: string, options: object, cpu?: number): Child {
	return startProcess(new URL(`./processes/${name}.ts`, import.meta.url), options, cpu);
}
