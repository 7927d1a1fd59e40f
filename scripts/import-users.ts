// CLI: `npm run import-users -- PATH` imports the predecessor's users.json into $DATA_DIR/users.json. Run it while the server is stopped.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { openJsonUserStore } from '../lib/accounts/json-user-store.js'
import { importLegacyUsers } from '../lib/accounts/legacy-import.js'
import { loadConfig } from '../lib/shared/config.js'

async function main(argv: string[]): Promise<number> {
  const source = argv[0]
  if (!source) {
    console.error('usage: npm run import-users -- PATH_TO_LEGACY_USERS_JSON')
    return 1
  }
  let data: unknown
  try {
    data = JSON.parse(await readFile(source, 'utf8'))
  } catch (err) {
    console.error(`cannot read ${source}: ${(err as Error).message}`)
    return 1
  }
  // Same DATA_DIR and SCRYPT_COST as the server: each old hash is stored wrapped in scrypt.
  const config = loadConfig()
  const target = path.join(config.dataDir, 'users.json')
  const store = await openJsonUserStore(target)
  try {
    const { imported, skipped } = await importLegacyUsers(store, data, { N: config.scryptCost, r: 8, p: 1 })
    for (const name of imported) console.log(`imported ${JSON.stringify(name)}`)
    for (const { name, reason } of skipped) console.log(`skipped ${JSON.stringify(name)}: ${reason}`)
    console.log(`${imported.length} imported, ${skipped.length} skipped, into ${target}`)
  } finally {
    await store.close()
  }
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(`import failed: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  }
)
