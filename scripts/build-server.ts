import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/*
 * `npm run build:server`: the server as one plain ESM file, build/server/main.js, that runs on
 * `node` alone. esbuild bundles server/main.ts with everything it imports from this repository
 * (`#shared` is resolved through package.json `imports`, as Node does) and leaves every npm package
 * external: they are installed next to it, from the package.json and package-lock.json written
 * beside it, which hold only what the bundle imports (all of it from `dependencies`) and what
 * those need, so `npm ci --omit=dev` in build/server installs the production tree and nothing else.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_OUT = join(ROOT, 'build/server');

interface LockEntry {
	version?: string;
	dev?: boolean;
	link?: boolean;
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	peerDependenciesMeta?: Record<string, { optional?: boolean }>;
	[key: string]: unknown;
}
interface Lockfile {
	name: string;
	version: string;
	lockfileVersion: number;
	requires?: boolean;
	packages: Record<string, LockEntry>;
}

/** The npm package an import names: `pg`, `@socket.io/redis-adapter`, `pino/file` → `pino`. */
function packageName(specifier: string): string {
	const parts = specifier.split('/');
	return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Where Node would find `name` from the package installed at `from` ('' is the root). */
function resolveInLock(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
	let dir = from;
	for (;;) {
		const candidate = (dir ? `${dir}/` : '') + `node_modules/${name}`;
		if (packages[candidate]) return candidate;
		if (!dir) return undefined;
		const at = dir.lastIndexOf('/node_modules/');
		dir = at === -1 ? '' : dir.slice(0, at);
	}
}

/**
 * The root lockfile cut down to `dependencies` and everything they need (walked the way Node
 * resolves, nested copies included); dev-only packages, workspaces and their links are left out.
 */
export function productionLockfile(lock: Lockfile, dependencies: Record<string, string>, engines: unknown): Lockfile {
	const keep = new Map<string, LockEntry>();
	const queue: Array<[from: string, name: string, optional: boolean]> = Object.keys(dependencies).map((name) => ['', name, false]);
	while (queue.length > 0) {
		const [from, name, optional] = queue.shift()!;
		const key = resolveInLock(lock.packages, from, name);
		if (!key) {
			if (optional) continue;
			throw new Error(`package-lock.json has no ${name} for ${from || 'the root'}; run npm install`);
		}
		if (keep.has(key)) continue;
		const entry = lock.packages[key]!;
		if (entry.link) throw new Error(`${name} is a workspace link (${key}); the server must not import a workspace package`);
		keep.set(key, entry);
		for (const dep of Object.keys(entry.dependencies ?? {})) queue.push([key, dep, false]);
		for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push([key, dep, true]);
		for (const dep of Object.keys(entry.peerDependencies ?? {})) queue.push([key, dep, true]);
	}
	const packages: Record<string, LockEntry> = {
		'': { name: `${lock.name}-server`, version: lock.version, dependencies, engines }
	};
	for (const key of [...keep.keys()].sort()) {
		const { dev: _dev, devOptional, ...entry } = keep.get(key)!;
		// Optional for the server only if it was optional at all (e.g. another platform's libsql binary).
		packages[key] = devOptional ? { ...entry, optional: true } : entry;
	}
	return { name: `${lock.name}-server`, version: lock.version, lockfileVersion: lock.lockfileVersion, requires: true, packages };
}

export async function buildServer(): Promise<{ bytes: number; dependencies: Record<string, string> }> {
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
	const lock: Lockfile = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
	rmSync(SERVER_OUT, { recursive: true, force: true });
	mkdirSync(SERVER_OUT, { recursive: true });
	const result = await build({
		absWorkingDir: ROOT,
		entryPoints: ['server/main.ts'],
		outfile: join(SERVER_OUT, 'main.js'),
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20.19',
		packages: 'external',
		sourcemap: 'linked',
		metafile: true,
		logLevel: 'warning',
		// tsconfig.json extends .svelte-kit's, which exists only after `svelte-kit sync`; nothing in it
		// changes how esbuild compiles the server.
		tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
		banner: { js: '// Shardbeat server, built by `npm run build:server` from server/main.ts. Run: node main.js' }
	});

	const builtins = new Set(builtinModules);
	const imported = new Set<string>();
	for (const [file, input] of Object.entries(result.metafile.inputs)) {
		if (!file.startsWith('server/') && !file.startsWith('shared-types/')) {
			throw new Error(`the server bundle pulled in ${file}: only server/ and shared-types/ belong in it`);
		}
		for (const { path, external } of input.imports) {
			if (external && !path.startsWith('node:') && !builtins.has(path)) imported.add(packageName(path));
		}
	}
	const dependencies: Record<string, string> = {};
	for (const name of [...imported].sort()) {
		const range = pkg.dependencies?.[name];
		if (!range) {
			const where = pkg.devDependencies?.[name] ? 'a devDependency' : 'not in package.json';
			throw new Error(`the server imports ${name}, which is ${where}: production installs only "dependencies"`);
		}
		dependencies[name] = range;
	}

	const serverPkg = {
		name: `${pkg.name}-server`,
		version: pkg.version,
		private: true,
		description: 'The built Shardbeat server: npm ci --omit=dev, then node main.js (see README, "Run it in production").',
		license: pkg.license,
		type: 'module',
		main: 'main.js',
		engines: pkg.engines,
		scripts: { start: 'node --enable-source-maps main.js' },
		dependencies
	};
	writeFileSync(join(SERVER_OUT, 'package.json'), JSON.stringify(serverPkg, null, '\t') + '\n');
	writeFileSync(join(SERVER_OUT, 'package-lock.json'), JSON.stringify(productionLockfile(lock, dependencies, pkg.engines), null, '\t') + '\n');
	return { bytes: statSync(join(SERVER_OUT, 'main.js')).size, dependencies };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const { bytes, dependencies } = await buildServer();
	console.log(`build/server/main.js ${(bytes / 1024).toFixed(0)} KiB; runtime packages: ${Object.keys(dependencies).join(', ')}`);
}
