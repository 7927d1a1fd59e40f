// Builds the chat page into dist/web and the server entries into dist; always a full rebuild (ms).
// Page assets get content-hashed names (cached for a year, immutable) and precompressed
// .br/.gz siblings that @fastify/static serves with the matching Content-Encoding.
import { build } from 'esbuild'
import { chmod, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

process.chdir(fileURLToPath(new URL('.', import.meta.url)))

const SERVER_ENTRIES = ['server.ts', 'scripts/import-users.ts', 'scripts/parley.ts']

/** The two pages: the chat page, and the widget's app inside its iframe (/widget.html). */
const PAGES = {
  chat: {
    title: 'Parley',
    head: [
      '<link rel="icon" href="/favicon.svg" type="image/svg+xml">',
      '<link rel="stylesheet" href="/app.css">',
      '<script type="module" src="/app.js"></script>'
    ].join('\n    '),
    body: '<noscript><p class="noscript">Parley needs JavaScript to run.</p></noscript>'
  },
  widget: {
    title: 'Parley chat',
    head: [
      '<link rel="stylesheet" href="/app.css">',
      '<link rel="stylesheet" href="/widget-app.css">',
      '<script type="module" src="/widget-app.js"></script>'
    ].join('\n    '),
    bodyAttributes: ' class="widget"'
  }
}

try {
  await rm('dist/web', { recursive: true, force: true })
  await mkdir('dist/web', { recursive: true })
  // What every browser bundle shares.
  const browser = { outdir: 'dist/web', bundle: true, minify: true, target: 'es2020', logLevel: 'warning' }
  // The page and the widget's iframe app: Preact ESM bundles with content-hashed names.
  const preactApp = (entryPoints) =>
    build({
      ...browser,
      entryPoints,
      entryNames: '[name]-[hash]',
      metafile: true,
      sourcemap: true,
      format: 'esm',
      jsx: 'automatic',
      jsxImportSource: 'preact'
    })
  const page = await preactApp([
    { in: 'web/main.tsx', out: 'app' },
    { in: 'web/styles.css', out: 'app' }
  ])
  // The embed loader keeps a stable URL (sites reference it) and runs as a classic script,
  // so document.currentScript can tell it its own data- attributes.
  await build({ ...browser, entryPoints: { widget: 'web/widget/loader.ts' }, format: 'iife' })
  // The widget's iframe app: the same components, a second entry (loaded only when the widget opens).
  const widgetApp = await preactApp([
    { in: 'web/widget/main.tsx', out: 'widget-app' },
    { in: 'web/widget/widget.css', out: 'widget-app' }
  ])
  await writePage(PAGES.chat, 'dist/web/index.html', page.metafile)
  await writePage(PAGES.widget, 'dist/web/widget.html', widgetApp.metafile, page.metafile)
  await copyFile('web/favicon.svg', 'dist/web/favicon.svg')
  await precompress('dist/web')

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
    // The `parley` bin (package.json "bin"): esbuild keeps its #! line; it must be executable.
    if (existsSync('dist/parley.js')) await chmod('dist/parley.js', 0o755)
  }
} catch (err) {
  // esbuild has printed its diagnostics already; anything else (a missing file) is shown here.
  if (!err?.errors) console.error(err)
  process.exit(1)
}

/** Writes a page from web/page.html (the shell both pages share), naming the hashed bundles. */
async function writePage(fill, target, ...metafiles) {
  const hashed = {}
  for (const meta of metafiles) {
    for (const [out, info] of Object.entries(meta.outputs)) {
      if (!info.entryPoint) continue
      const ext = out.endsWith('.css') ? 'css' : out.endsWith('.js') ? 'js' : null
      const name = basename(out).replace(/-[A-Z0-9]{8}\.(js|css)$/, '')
      if (ext) hashed[`/${name}.${ext}`] = `/${basename(out)}`
    }
  }
  let html = (await readFile('web/page.html', 'utf8'))
    .replace(/\{\{(\w+)\}\}/g, (_, key) => fill[key] ?? '')
    .replace(/\n *(?=\n)/g, '') // a slot left empty leaves no blank line
  for (const [plain, name] of Object.entries(hashed)) html = html.replaceAll(`"${plain}"`, `"${name}"`)
  await writeFile(target, html)
}

/**
 * Brotli and gzip siblings for the static assets (maps aside: only developers fetch them). The
 * HTML page is left uncompressed: it is tiny, and an uncompressed page gives BREACH nothing to
 * measure (testssl.sh flags any compressed answer at '/').
 */
async function precompress(dir) {
  for (const name of await readdir(dir)) {
    if (!/\.(js|css|svg)$/.test(name)) continue
    const data = await readFile(join(dir, name))
    await writeFile(join(dir, `${name}.br`), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
    await writeFile(join(dir, `${name}.gz`), gzipSync(data, { level: 9 }))
  }
}
