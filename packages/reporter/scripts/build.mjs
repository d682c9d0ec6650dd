// Builds what npm publishes: dist/index.mjs (ESM), dist/index.cjs (CommonJS), and their types.
// The protocol from shared-types/ is inlined into both (src/protocol.ts is its one door);
// socket.io-client, the one runtime dependency, stays an import.
// `node scripts/build.mjs [outDir]`: outDir (default dist/) lets a test build its own copy while
// `npm pack` elsewhere rebuilds dist/ (this script starts by deleting its output).
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const common = {
	entryPoints: [join(root, 'src/index.ts')],
	bundle: true,
	platform: 'node',
	target: 'node18',
	external: ['socket.io-client'],
	legalComments: 'none',
	logLevel: 'warning'
};
await build({ ...common, format: 'esm', outfile: join(dist, 'index.mjs') });
await build({ ...common, format: 'cjs', outfile: join(dist, 'index.cjs') });

// One declaration file with the shared protocol types inlined (no import of ../../shared-types),
// for require; the ESM one re-exports it (an ES module may import CommonJS, not the other way
// round), so the tarball does not carry the same declarations twice.
const require = createRequire(import.meta.url);
const cli = require.resolve('dts-bundle-generator/dist/bin/dts-bundle-generator.js');
execFileSync(
	process.execPath,
	[cli, '--silent', '--no-banner', '--export-referenced-types=false', '--project', join(root, 'tsconfig.json'), '-o', join(dist, 'index.d.cts'), join(root, 'src/index.ts')],
	{ stdio: 'inherit', cwd: root }
);
writeFileSync(join(dist, 'index.d.mts'), "export * from './index.cjs';\n");
