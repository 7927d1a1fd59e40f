// Crash-safe file replacement: readers see the old file or the new one, never a torn mix.
import { randomBytes } from 'node:crypto'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import path from 'node:path'

// Writes data to a temp file in the same directory (created with mode), fsyncs it, renames it over file and fsyncs the directory.
export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file)
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  let handle: FileHandle | undefined
  try {
    // 'wx': create exclusively, so the file has the right mode from its first byte.
    handle = await open(temp, 'wx', mode)
    // The umask may have removed bits from mode; set it exactly.
    await handle.chmod(mode)
    await handle.writeFile(data, 'utf8')
    await handle.sync()
    await handle.close()
    handle = undefined
    await rename(temp, file)
  } catch (err) {
    await handle?.close().catch(() => {})
    await rm(temp, { force: true }).catch(() => {})
    throw err
  }
  await syncDir(dir)
}

// Makes a rename or a new file's entry durable. Windows cannot open a directory for fsync.
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
