/**
 * Builds the shared load generator's entry point (`src/ws/echo-server.ts`) into one JavaScript
 * file, `dist/ws-echo-server.js`, that plain `node` runs: Corral's packages are bundled in (they
 * are published as TypeScript sources inside this repository), every other package stays an
 * import from `node_modules`.
 *
 * Why a build: under `node --import tsx` the TypeScript loader's hooks run on a thread of their
 * own, which shares the one CPU the load generator pins the server to, and the loader's heap
 * changes when V8 collects (64 KiB echo: 21–35 mark-compacts in 5 s under tsx against 3 built;
 * see docs/benchmarks.md). The peers run as plain JavaScript; so does a deployed server.
 *
 *   npm run bench:server          # from the repository root
 *   CORRAL_CMD='node bench/dist/ws-echo-server.js'
 */
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const benchDir = fileURLToPath(new URL('..', import.meta.url));

/** Bare imports outside `@corral/` are left to Node (resolved from node_modules at run time). */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@corral/') ? undefined : { path: args.path, external: true },
    );
  },
};

export async function buildEchoServer(outfile = `${benchDir}dist/ws-echo-server.js`): Promise<string> {
  await build({
    entryPoints: [`${benchDir}src/ws/echo-server.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externalPackages],
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildEchoServer(process.argv[2]);
  process.stdout.write(`built ${out}\n`);
}
