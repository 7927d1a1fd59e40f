// Builds the chat page into dist/web and the server entries into dist; always a full rebuild (ms).
import { build } from 'esbuild'
import { copyFile, mkdir } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

process.chdir(fileURLToPath(new URL('.', import.meta.url)))

const SERVER_ENTRIES = ['server.ts', 'scripts/import-users.ts']

try {
  await mkdir('dist/web', { recursive: true })
  await build({
    entryPoints: [
      { in: 'web/main.tsx', out: 'app' },
      { in: 'web/styles.css', out: 'app' }
    ],
    outdir: 'dist/web',
    bundle: true,
    minify: true,
    sourcemap: true,
    target: 'es2020',
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning'
  })
  await copyFile('web/index.html', 'dist/web/index.html')

  // The server entries may not exist yet while the project grows: build those that do.
  const serverEntries = SERVER_ENTRIES.filter((file) => {
    if (existsSync(file)) return true
    process.stderr.write(`build: skipping ${file} (not found)\n`)
    return false
  })
  if (serverEntries.length > 0) {
    await build({
      entryPoints: serverEntries,
      outdir: 'dist',
      entryNames: '[name]',
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Bundling fastify and its dependencies breaks at run time; node_modules stays external.
      packages: 'external',
      sourcemap: true,
      logLevel: 'warning'
    })
  }
} catch (err) {
  // esbuild has printed its diagnostics already; anything else (a missing file) is shown here.
  if (!err?.errors) console.error(err)
  process.exit(1)
}
