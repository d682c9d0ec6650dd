import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Debian's libfaketime (`apt-get install faketime`), found where the package puts it. Tests that
 * step a real process's wall clock need it; `.ci/run` installs it.
 */
export function libfaketime(): string {
	const found = readdirSync('/usr/lib')
		.map((arch) => `/usr/lib/${arch}/faketime/libfaketime.so.1`)
		.filter((path) => existsSync(path));
	if (found.length === 0) throw new Error('No libfaketime.so.1 under /usr/lib/*/faketime: install Debian\'s package (apt-get install faketime).');
	return found[0]!;
}

/** A process's wall clock you can step while it runs; pass `env` to the process. */
export interface FakeClock {
	env: Record<string, string>;
	/** Sets the offset from real time, in seconds (e.g. 60, -60, 0); the process sees it at its next clock read. */
	set(offsetS: number): void;
}

/**
 * A wall clock offset from real time by a file libfaketime re-reads at every clock call
 * (`FAKETIME_TIMESTAMP_FILE` with `FAKETIME_NO_CACHE=1`), so the offset of a running process can
 * change, as an NTP step or a VM resumed from pause would change it. Only the wall clock moves:
 * `FAKETIME_DONT_FAKE_MONOTONIC=1` leaves CLOCK_MONOTONIC (Node's timers, `performance.now()`) alone.
 */
export function fakeClock(dir: string, name: string, offsetS = 0): FakeClock {
	const file = join(dir, `${name}.faketime`);
	const set = (s: number) => writeFileSync(file, `${s >= 0 ? '+' : ''}${s}\n`);
	set(offsetS);
	return {
		env: { LD_PRELOAD: libfaketime(), FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
		set
	};
}
