// A small real filesystem for full-disk tests: a tmpfs mounted by the test (Linux, root only).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { statfs, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

export interface Tmpfs {
  dir: string
  /** Why no tmpfs could be mounted here (the test skips with it), or undefined. */
  skip?: string
}

/**
 * Mounts a tmpfs of sizeMb in a fresh directory outside tap's fixtures (whose cleanup would meet
 * the mount before the unmount); unmounted and removed when `t` ends.
 */
export function mountTmpfs(t: Test, sizeMb = 4): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tmpfs-'))
  let skip: string | undefined
  if (process.platform !== 'linux') skip = 'tmpfs mounts need Linux'
  else if (process.getuid?.() !== 0) skip = 'mounting a tmpfs needs root (test/integration/history-short-write.test.ts covers the store everywhere)'
  else {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' })
    } catch (err) {
      skip = `mount -t tmpfs was refused here: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`
    }
  }
  t.teardown(() => {
    if (!skip) execFileSync('umount', ['-l', dir])
    rmSync(dir, { recursive: true, force: true })
  })
  return { dir, skip }
}

/** Fills the filesystem at dir with `file` until only about `leaveBytes` are free. */
export async function fillDisk(dir: string, file: string, leaveBytes: number): Promise<void> {
  const { bavail, bsize } = await statfs(dir)
  await writeFile(file, Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)))
}
