// Room history in DATA_DIR/history/<room>.log: append-only JSON lines, group-committed, compacted, crash-safe.
import { mkdir, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { syncDir, writeFileAtomic } from '../../shared/atomic-file.js'
import { createLogAppender, openLogFile, type AppendedLog, type LogFile } from './log-append.js'
import { afterOf, createHistoryCache, firstAbove, newestUpTo, pageBefore, recentOf, type Cached } from './history-cache.js'
import { header, line, loadLog, readRecords, refuse, refuseIrregular, removeStaleTempFiles } from './history-log.js'
import type { HistoryRecord, HistoryStore, StoredRoom } from './ports.js'
import type { Awaitable } from '../../shared/ports.js'
import { ROOM_NAME_PATTERN } from '../protocol/protocol.js'

export interface FileHistoryOptions {
  /** Records kept per room (HISTORY_LIMIT); the log is compacted back to this many once it holds 10 % more. */
  limit: number
  /** HISTORY_MEMORY_MB in bytes: records in memory, all rooms; older ones are read from disk on demand. Default: no bound. */
  memoryBytes?: number
  /** Told about a cut-off corrupt tail, naming the file. */
  warn?: (message: string) => void
  /** Told about a failed write (the records of that sync are dropped). */
  error?: (message: string, err: unknown) => void
  /** Called after each durable write of a log with the records it carried (tests count fsyncs with it). */
  onWrite?: (room: string, records: number) => void
  /** Opens a log for append (tests inject short and failed writes); default: O_APPEND | O_DSYNC | O_NOFOLLOW. */
  openLog?: (file: string) => Promise<LogFile>
}

export type { LogFile } from './log-append.js'

// One room's log: what is durable and visible (kept), and what waits for the next sync.
interface Log extends Cached, AppendedLog {
  name: string
  cap: number
  file: string
  /**
   * The newest durable records in memory, ascending seq (readers see only the last `limit`;
   * trimmed in bulk); fewer than the file's when the memory budget dropped older ones.
   */
  kept: HistoryRecord[]
  lastSeq: number
  pendingLines: string[]
  pendingRecords: HistoryRecord[]
  /** Records in the file: at `maxLines`, the file is rewritten with the last `limit`. */
  lines: number
}

/** The file store; `memoryBytes()` is what its records in memory count against HISTORY_MEMORY_MB. */
export interface FileHistoryStore extends HistoryStore {
  memoryBytes(): number
}

/**
 * Opens the store, reading every log in `dir` (created 0700 when missing). A torn or corrupt
 * tail (what a kill -9 or power loss mid-append leaves) is cut off with a warning naming the
 * file; any other damage rejects, leaving the files untouched, so start-up stops.
 */

export async function openFileHistoryStore(dir: string, opts: FileHistoryOptions): Promise<FileHistoryStore> {
  const limit = opts.limit
  if (!(Number.isSafeInteger(limit) && limit >= 1)) throw new Error('history limit must be a positive integer')
  const warn = opts.warn ?? (() => {})
  const reportError = opts.error ?? (() => {})
  const openLog = opts.openLog ?? openLogFile
  // The file is compacted back to `limit` records once it holds 10 % more (at least one more).
  const maxLines = limit + Math.ceil(limit / 10)
  const cache = createHistoryCache(opts.memoryBytes ?? Infinity, limit, maxLines - limit)
  const appender = createLogAppender(dir, openLog, reportError)
  const { rollback, ensureOpen } = appender
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await removeStaleTempFiles(dir)

  const logs = new Map<string, Log>()
  const rooms: StoredRoom[] = []
  let lastId = ''
  const found: { name: string; mtimeMs: number }[] = []
  for (const name of (await readdir(dir)).sort()) {
    // Only regular files live here: a symlink (followed, it would write elsewhere), a directory or a fifo stops start-up.
    const stats = await refuseIrregular(path.join(dir, name))
    if (!name.endsWith('.log')) continue
    if (!ROOM_NAME_PATTERN.test(name.slice(0, -4))) throw refuse(path.join(dir, name), 'is not named after a room')
    found.push({ name, mtimeMs: stats.mtimeMs })
  }
  // Least recently used first: over the memory budget, those lose their records in memory first.
  for (const { name } of found.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
    const room = name.slice(0, -4)
    const file = path.join(dir, name)
    const loaded = await loadLog(file, room, warn)
    if (!loaded) continue
    const { cap, records, size, mtimeMs } = loaded
    const last = records.at(-1)
    if (last && last.id > lastId) lastId = last.id
    const kept = records.slice(-limit)
    const log: Log = {
      name: room,
      cap,
      file,
      kept: [],
      keptBytes: 0,
      lastSeq: last?.seq ?? 0,
      pendingLines: [],
      pendingRecords: [],
      size,
      lines: records.length,
      dropped: false,
      broken: false
    }
    logs.set(room, log)
    cache.push(log, kept)
    cache.evict(log)
    // The resend window is read from here (docs/protocol.md): no disk read for it when memory is short.
    const cids = kept.filter((r) => r.cid !== undefined).map(({ seq, user, cid }) => ({ seq, user, cid: cid! }))
    rooms.push({ name: room, cap, lastSeq: last?.seq ?? 0, lastUsed: mtimeMs, cids })
  }

  rooms.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

  let chain: Promise<unknown> = Promise.resolve()
  let closed = false
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const result = chain.then(task)
    chain = result.catch(() => {})
    return result
  }

  // The last `limit` records, without copying.
  const windowStart = (log: Log) => Math.max(0, log.kept.length - limit)

  // Writes one log's pending lines durably (log-append.ts); on failure the file is cut back to its
  // last good length. Never rejects.
  async function writeLog(log: Log, lines: string[], records: HistoryRecord[]): Promise<boolean> {
    // A failed rollback is retried first; until it succeeds the room stores nothing.
    if (log.broken && !(await rollback(log))) return false
    // A log whose header is not on disk yet: its file is new (or its first write was rolled back).
    const fresh = log.size === 0
    const data = Buffer.from((fresh ? header(log) : '') + lines.join(''))
    if (!(await appender.append(log, data, fresh))) return false
    opts.onWrite?.(log.name, records.length)
    if (log.dropped) return true
    log.size += data.length
    log.lines += records.length
    cache.push(log, records)
    if (records.length > 0) log.lastSeq = records.at(-1)!.seq
    if (log.lines >= maxLines) await compact(log)
    cache.evict(log)
    return true
  }

  // Rewrites the log as header + the last `limit` records, atomically; a failure keeps the old file.
  // Never rejects: the records are durable either way (a failed reopen is retried by the next write).
  async function compact(log: Log): Promise<void> {
    if (!complete(log) && !(await readBack(log))) return
    const keep = log.kept.slice(windowStart(log))
    const data = header(log) + keep.map(line).join('')
    try {
      await writeFileAtomic(log.file, data, 0o600)
    } catch (err) {
      reportError(`could not compact history log ${log.file}`, err)
      return
    }
    const old = log.handle
    log.handle = undefined
    log.size = Buffer.byteLength(data)
    log.lines = keep.length
    cache.replace(log, keep)
    await old?.close().catch(() => {})
    await ensureOpen(log).catch((err) => reportError(`could not reopen history log ${log.file}`, err))
  }

  // Every record readers may see (the last `limit` of the file) is in memory.
  const complete = (log: Log) => log.kept.length - windowStart(log) >= Math.min(limit, log.lines)

  // Reads a log's last `limit` records back into memory (only what is known good: its first
  // `size` bytes); run in the serial chain, so no write is under way. False when it failed.
  async function readBack(log: Log): Promise<boolean> {
    if (log.dropped || complete(log)) return true
    try {
      cache.replace(log, (await readRecords(log.file, log.size)).slice(-limit))
    } catch (err) {
      reportError(`could not read history log ${log.file}`, err)
      return false
    }
    cache.evict(log)
    return true
  }

  // A read answered from memory when it can (a plain value: the hot path), else once read back.
  function read<T>(log: Log, inMemory: boolean, answer: () => T): Awaitable<T> {
    cache.touch(log)
    if (inMemory) return answer()
    return serial(() => readBack(log)).then(answer, answer)
  }

  async function syncAll(): Promise<string[]> {
    const batch: [Log, string[], HistoryRecord[]][] = []
    for (const log of logs.values()) {
      // A log with no header on disk yet is written even with no records (a new room, or a retry).
      if (log.pendingLines.length === 0 && log.size > 0) continue
      batch.push([log, log.pendingLines, log.pendingRecords])
      log.pendingLines = []
      log.pendingRecords = []
    }
    const results = await Promise.all(
      batch.map(([log, lines, records]) =>
        writeLog(log, lines, records).catch((err) => {
          reportError(`could not write history log ${log.file}`, err)
          return false
        })
      )
    )
    return batch.filter((_, i) => !results[i]).map(([log]) => log.name)
  }

  const get = (room: string) => logs.get(room)

  return {
    rooms,
    lastId,
    memoryBytes: () => cache.bytes,
    create(room, cap) {
      if (closed) throw new Error('history store is closed')
      if (!ROOM_NAME_PATTERN.test(room)) throw new Error(`invalid room name ${JSON.stringify(room)}`)
      const log: Log = {
        name: room,
        cap,
        file: path.join(dir, `${room}.log`),
        kept: [],
        keptBytes: 0,
        lastSeq: 0,
        pendingLines: [],
        pendingRecords: [],
        size: 0,
        lines: 0,
        dropped: false,
        broken: false
      }
      logs.set(room, log)
    },
    append(room, record) {
      const log = logs.get(room)
      if (!log) throw new Error(`no history log for room ${JSON.stringify(room)}`)
      log.pendingLines.push(line(record))
      log.pendingRecords.push(record)
    },
    sync() {
      return serial(syncAll)
    },
    lastSeq(room) {
      return get(room)?.lastSeq ?? 0
    },
    recent(room, count, upTo = Infinity) {
      const log = get(room)
      if (!log) return []
      const inMemory = complete(log) || newestUpTo(log.kept, windowStart(log), upTo) - windowStart(log) >= count
      return read(log, inMemory, () => recentOf(log.kept, windowStart(log), count, upTo))
    },
    after(room, since, upTo) {
      const log = get(room)
      const lastSeq = log?.lastSeq ?? 0
      // A point beyond what this room ever had is not from its history (a room made anew).
      if (since > lastSeq) return undefined
      if (since >= upTo || !log) return []
      const first = log.kept[windowStart(log)]
      // In memory when no record after `since` can be older than those in memory.
      const inMemory = complete(log) || (first !== undefined && since >= first.seq - 1)
      return read(log, inMemory, () => afterOf(log.kept, windowStart(log), since, upTo))
    },
    before(room, before, count) {
      const log = get(room)
      if (!log) return { messages: [], more: false }
      const start = windowStart(log)
      // In memory when the page starts after the oldest record in memory (so `more` is known too).
      const inMemory = complete(log) || firstAbove(log.kept, start, before - 1) - count > start
      return read(log, inMemory, () => pageBefore(log.kept, windowStart(log), before, count))
    },
    drop(room) {
      const log = logs.get(room)
      if (!log) return Promise.resolve()
      logs.delete(room)
      log.dropped = true
      cache.forget(log)
      return serial(async () => {
        await log.handle?.close().catch(() => {})
        log.handle = undefined
        // A room made anew under the same name meanwhile has its own log object; its file
        // is only created by a sync, which runs after this one.
        await rm(log.file, { force: true })
        await syncDir(dir)
      })
    },
    async close() {
      if (closed) return
      closed = true
      await serial(syncAll)
      await serial(async () => {
        for (const log of logs.values()) {
          await log.handle?.close().catch(() => {})
          log.handle = undefined
        }
      })
    }
  }
}
