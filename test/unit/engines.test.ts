// `npm install` prints no engine warning on the Node versions we claim to support: every locked
// package (dev tools included) accepts the oldest release of each supported line and this Node.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import t from 'tap'

// npm's own range matcher (a dependency of the server's packages already; no types shipped).
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean }

const root = new URL('../../', import.meta.url)
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'))
const SUPPORTED = '^20.19.0 || >=22.12.0'
const OLDEST = ['20.19.0', '22.12.0']

t.test('package.json, the lockfile and the README state one supported range', async (t) => {
  t.equal(pkg.engines.node, SUPPORTED)
  t.equal(lock.packages[''].engines.node, SUPPORTED, 'the lockfile was refreshed (npm install)')
  t.match(readFileSync(new URL('README.md', root), 'utf8'), SUPPORTED, 'the README says so')
  t.ok(semver.satisfies(process.version, SUPPORTED), `this Node (${process.version}) is one of them`)
})

t.test('no locked package refuses a supported Node (npm would warn EBADENGINE)', async (t) => {
  for (const version of [...OLDEST, process.version]) {
    const refused = Object.entries<{ version: string; engines?: { node?: string } }>(lock.packages)
      .filter(([path, info]) => path !== '' && info.engines?.node && !semver.satisfies(version, info.engines.node))
      .map(([path, info]) => `${path.replace(/^.*node_modules\//, '')}@${info.version} wants ${info.engines!.node}`)
    t.same(refused, [], `Node ${version}`)
  }
})
