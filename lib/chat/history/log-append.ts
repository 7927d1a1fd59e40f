// One room log's durable append: all of a write's bytes reach the disk and are synced, or the file
// is cut back to the length it really had (never a hole, never garbage before good records); a log
// whose cut-back failed is broken and takes nothing until a later cut-back succeeds.
import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { syncDir } from '../../shared/atomic-file.js'

// Logs are opened O_DSYNC where the platform has it: each append is durable when its write
// returns, as write + fdatasync were, with one thread-pool round trip instead of two (each
// costs the event loop ~40 us here, per room, per group commit).
// O_NOFOLLOW: a log that is a symlink is never followed (ELOOP); O_NONBLOCK: a fifo put in its place
// fails to open (ENXIO) instead of hanging, and the fstat after opening refuses anything not a regular file.
const DSYNC = constants.O_DSYNC !== undefined
const APPEND =
  constants.O_APPEND | constants.O_CREAT | constants.O_WRONLY | (constants.O_DSYNC ?? 0) | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)
export const openLogFile = (file: string): Promise<LogFile> => open(file, APPEND, 0o600)

/** What the store needs of an open log (a node:fs/promises FileHandle is one; tests inject failures with a fake). */
export interface LogFile {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>
  truncate(length: number): Promise<void>
  datasync(): Promise<void>
  stat(): Promise<{ size: number; isFile(): boolean }>
  close(): Promise<void>
}

/** A log as the appender sees it. */
export interface AppendedLog {
  file: string
  handle?: LogFile
  /** Bytes of the file known to be good (all written and synced): a failed append is cut back to this. */
  size: number
  /** The room went while a write was under way: nothing is cut back for it. */
  dropped: boolean
  /** A failed append could not be cut back: nothing is appended until a later cut-back succeeds. */
  broken: boolean
}

export function createLogAppender(dir: string, openLog: (file: string) => Promise<LogFile>, reportError: (message: string, err: unknown) => void) {
  // Cuts the file back to the good length it really had, makes that durable and checks it with
  // fstat; on any failure the log is broken (nothing is appended behind what may be garbage).
  async function rollback(log: AppendedLog): Promise<boolean> {
    try {
      if (!log.handle) log.handle = await openLog(log.file)
      await log.handle.truncate(log.size)
      await log.handle.datasync()
      const { size } = await log.handle.stat()
      if (size !== log.size) throw new Error(`size ${size} after truncating to ${log.size}`)
    } catch (err) {
      if (!log.broken) reportError(`could not roll back history log ${log.file}; the room refuses messages until it can`, err)
      log.broken = true
      return false
    }
    log.broken = false
    return true
  }

  // Opens a log (once): only a regular file, at the length the store knows is good.
  async function ensureOpen(log: AppendedLog): Promise<LogFile> {
    if (log.handle) return log.handle
    const handle = await openLog(log.file)
    let stats
    try {
      stats = await handle.stat()
      if (!stats.isFile()) throw new Error(`history log ${log.file} is not a regular file`)
    } catch (err) {
      await handle.close().catch(() => {})
      throw err
    }
    log.handle = handle
    // Bytes past the good length (a write that failed before this open) go before anything is appended.
    if (stats.size !== log.size && !(await rollback(log))) throw new Error(`history log ${log.file} could not be cut back`)
    return handle
  }

  /**
   * Appends all of `data` (one write, more only on short counts; O_DSYNC or datasync; a new file's
   * directory entry synced too) and answers true once it is durable; on failure the file is cut
   * back to its last good length and the answer is false. Never rejects. The caller adds the
   * bytes to `size` once it has taken the records.
   */
  async function append(log: AppendedLog, data: Buffer, fresh: boolean): Promise<boolean> {
    let written = 0
    try {
      const handle = await ensureOpen(log)
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written)
        if (!(bytesWritten > 0)) throw new Error(`history log ${log.file}: write made no progress`)
        written += bytesWritten
      }
      if (!DSYNC) await handle.datasync()
      // A new file's directory entry must be durable too, or a crash could lose the whole log.
      if (fresh) await syncDir(dir)
    } catch (err) {
      reportError(`could not write history log ${log.file}`, err)
      if (log.handle && !log.dropped) await rollback(log)
      return false
    }
    return true
  }

  return { rollback, ensureOpen, append }
}
