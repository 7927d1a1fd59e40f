// Crash-safe file replacement: readers see the old file or the new one, never a torn mix.
import { randomBytes } from 'node:crypto'
import { open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises'
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

/**
 * Reads and parses a JSON file written by writeFileAtomic; undefined when it does not exist.
 * An unreadable or unparsable file is refused with refuse(problem, cause): never overwritten.
 */
export async function readJsonFile(file: string, refuse: (problem: string, cause?: unknown) => Error): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw refuse(`cannot be read (${(err as Error).message})`, err)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw refuse(`is not valid JSON (${(err as Error).message})`, err)
  }
}

// A kill during a write can leave writeFileAtomic's temp file behind; it never held the only copy.
export async function removeStaleTempFiles(file: string): Promise<void> {
  const dir = path.dirname(file)
  const prefix = `.${path.basename(file)}.`
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await rm(path.join(dir, name), { force: true })
  }
}
