// What the widget is built from: the panel bundles the chat page's own components (one codebase,
// two entry points), and every postMessage in the widget names its target origin.
import t from 'tap'
import { build } from 'esbuild'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The source files esbuild bundles for one entry, as build.mjs builds it. */
async function bundledFiles(entry: string): Promise<string[]> {
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: entry.endsWith('loader.ts') ? 'iife' : 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'silent'
  })
  return Object.keys(metafile.inputs)
}

t.test('the iframe panel bundles the page\'s components, state and actions, not copies of them', async (t) => {
  const inputs = await bundledFiles('web/widget/main.tsx')
  for (const shared of ['web/components/MessageList.tsx', 'web/components/Composer.tsx', 'web/state.ts', 'web/actions.ts', 'web/connection.ts']) {
    t.ok(inputs.includes(shared), `bundles ${shared}`)
  }
  t.same(inputs.filter((f) => f.startsWith('web/widget/')).sort(), ['web/widget/main.tsx'], 'the widget adds only its entry (its texts are in the shared catalogue)')
  t.ok(inputs.includes('web/i18n/de.ts'), 'bundles every catalogue (web/i18n/all.ts)')
})

t.test('the loader (widget.js) does not bundle the message catalogue: it stays within its size budget', async (t) => {
  const inputs = await bundledFiles('web/widget/loader.ts')
  t.same(inputs.filter((f) => f.startsWith('web/i18n/')), [], 'the catalogues are only in the lazily loaded iframe app')
})

t.test('every postMessage in the widget names an exact origin, never "*"', async (t) => {
  const dir = fileURLToPath(new URL('../../web/widget/', import.meta.url))
  let calls = 0
  for (const name of await readdir(dir)) {
    if (!/\.tsx?$/.test(name)) continue
    const source = await readFile(dir + name, 'utf8')
    for (const [call] of source.matchAll(/postMessage\([^;]*/g)) {
      calls++
      t.notMatch(call, /['"`]\*['"`]/, `${name}: ${call.slice(0, 80)}`)
      t.match(call, /,\s*(chatOrigin|parentOrigin)\)/, `${name}: the target is the peer's origin`)
    }
  }
  t.equal(calls, 2, 'the loader\'s and the iframe\'s one postMessage each')
})
