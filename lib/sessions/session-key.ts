// The secret that encrypts session cookies: 32 random bytes in DATA_DIR/session.key, mode 0600.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const SESSION_KEY_BYTES = 32

/** Reads the session key, creating it (exclusively, mode 0600) on first start. */
export async function loadOrCreateSessionKey(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, 'session.key')
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  try {
    await writeFile(file, randomBytes(SESSION_KEY_BYTES), { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  const key = await readFile(file)
  if (key.length !== SESSION_KEY_BYTES) {
    throw new Error(`${file} must hold exactly ${SESSION_KEY_BYTES} bytes (found ${key.length}); delete it to make a new one`)
  }
  return key
}
