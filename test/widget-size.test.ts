import t from 'tap'
import { readFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

// npm test builds dist/ first (build.mjs); the loader is what every host page pays for.
const BUDGET = 4096

t.test('widget.js stays under its 4 KB gzipped budget', async (t) => {
  const file = fileURLToPath(new URL('../dist/web/widget.js', import.meta.url))
  const size = gzipSync(await readFile(file), { level: 9 }).length
  t.ok(size < BUDGET, `widget.js is ${size} bytes gzipped (budget ${BUDGET})`)
})
