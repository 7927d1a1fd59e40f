import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

// npm test builds dist/ first (build.mjs); the loader is what every host page pays for.
const BUDGET = 4096
const dist = (name: string) => fileURLToPath(new URL(`../../dist/web/${name}`, import.meta.url))
const gzipped = async (name: string) => gzipSync(await readFile(dist(name)), { level: 9 }).length

t.test('widget.js stays under its 4 KB gzipped budget', async (t) => {
  const size = await gzipped('widget.js')
  t.ok(size < BUDGET, `widget.js is ${size} bytes gzipped (budget ${BUDGET})`)
})

t.test("the README's gzipped sizes of widget.js and the widget-app bundle are this build's (within 3 %)", async (t) => {
  const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
  const escaped = (name: string) => name.replace(/[.*]/g, (c) => `\\${c}`)
  const stated = (name: string) => Number(new RegExp(`\`${escaped(name)}\` \\*\\*[\\d.]+ KB\\*\\* \\(([\\d ]+) bytes`).exec(readme)?.[1]?.replace(/ /g, ''))
  const app = (await readdir(dist(''))).find((f) => /^widget-app-.*\.js$/.test(f))!
  for (const [label, actual] of [['widget.js', await gzipped('widget.js')], ['widget-app-*.js', await gzipped(app)]] as const) {
    const claim = stated(label)
    t.ok(Math.abs(claim - actual) <= actual * 0.03, `README says ${claim} bytes for ${label}; this build: ${actual} (update the README's Sizes line)`)
  }
})
