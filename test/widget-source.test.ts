// What the widget is built from: the panel bundles the chat page's own components (one codebase,
// two entry points), and every postMessage in the widget names its target origin.
import t from 'tap'
import { build } from 'esbuild'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

t.test('the iframe panel bundles the page\'s components, state and actions, not copies of them', async (t) => {
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: ['web/widget/main.tsx'],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'silent'
  })
  const inputs = Object.keys(metafile.inputs)
  for (const shared of ['web/components/MessageList.tsx', 'web/components/Composer.tsx', 'web/state.ts', 'web/actions.ts', 'web/connection.ts']) {
    t.ok(inputs.includes(shared), `bundles ${shared}`)
  }
  t.same(inputs.filter((f) => f.startsWith('web/widget/')).sort(), ['web/widget/main.tsx', 'web/widget/panel-texts.ts'], 'the widget adds only its entry and its texts')
})

t.test('every postMessage in the widget names an exact origin, never "*"', async (t) => {
  const dir = fileURLToPath(new URL('../web/widget/', import.meta.url))
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
