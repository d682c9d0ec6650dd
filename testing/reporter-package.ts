import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * @shardbeat/reporter as a bot author gets it: `npm pack` in its folder (prepack builds dist/),
 * then `npm install <tarball>` in a fresh project. The install spec asserts on it; the bench
 * prints its size and what it installs.
 */

/** The package's folder, packages/reporter. */
export const REPORTER_DIR = fileURLToPath(new URL('../packages/reporter/', import.meta.url));
/** The budget for the packed tarball. */
export const REPORTER_TARBALL_TARGET_BYTES = 25 * 1024;

/** npm run from a test (itself perhaps under `npm test`) must not inherit the outer npm's config (its prefix above all). */
function npmEnv(): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

function npm(args: string[], cwd: string): string {
	return execFileSync('npm', args, { cwd, env: npmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Packs the reporter into `dir` (building dist/ on the way, as `prepack`) and returns the tarball's path. */
export function packReporter(dir: string): string {
	npm(['pack', '--pack-destination', dir], REPORTER_DIR);
	const packed = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
	if (packed.length !== 1) throw new Error(`npm pack left ${packed.length} tarballs in ${dir}: ${packed.join(', ')}`);
	return join(dir, packed[0]!);
}

/** The files a tarball holds, sorted (`package/…` paths). */
export function tarballListing(tarball: string): string[] {
	return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
}

/** Creates the bot project `dir` (an empty package.json) and installs `tarball` into it as a bot author would. */
export function installInFreshProject(dir: string, tarball: string): void {
	mkdirSync(dir);
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-bot', version: '1.0.0', private: true }, null, 2));
	npm(['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock'], dir);
}

/** Every package directory under node_modules (scoped and nested), by name. */
function installedPackages(nodeModules: string, found = new Set<string>()): Set<string> {
	if (!existsSync(nodeModules)) return found;
	for (const entry of readdirSync(nodeModules)) {
		if (entry.startsWith('.')) continue;
		const names = entry.startsWith('@') ? readdirSync(join(nodeModules, entry)).map((n) => `${entry}/${n}`) : [entry];
		for (const name of names) {
			found.add(name);
			installedPackages(join(nodeModules, name, 'node_modules'), found);
		}
	}
	return found;
}

/** `root` and everything it depends on, read from the installed package.json files. */
function dependencyClosure(nodeModules: string, root: string): Set<string> {
	const closure = new Set<string>();
	const queue = [root];
	while (queue.length > 0) {
		const name = queue.pop()!;
		if (closure.has(name)) continue;
		closure.add(name);
		const manifest = JSON.parse(readFileSync(join(nodeModules, name, 'package.json'), 'utf8')) as {
			dependencies?: Record<string, string>;
			optionalDependencies?: Record<string, string>;
		};
		for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
			if (existsSync(join(nodeModules, dep))) queue.push(dep);
		}
	}
	return closure;
}

/** What a fresh install put in `nodeModules`, sorted, against socket.io-client's closure: `beyond` must stay empty. */
export function installedTree(nodeModules: string): { installed: string[]; socketIoClosure: string[]; beyond: string[] } {
	const installed = [...installedPackages(nodeModules)].sort();
	const closure = dependencyClosure(nodeModules, 'socket.io-client');
	return { installed, socketIoClosure: [...closure].sort(), beyond: installed.filter((name) => name !== '@shardbeat/reporter' && !closure.has(name)) };
}
