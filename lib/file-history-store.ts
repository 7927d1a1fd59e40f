// Room history in DATA_DIR/history/<room>.log: append-only JSON lines, group-committed, compacted, crash-safe.
import { constants } from 'node:fs'
import { mkdir, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { syncDir, writeFileAtomic } from './atomic-file.js'
import { ID_PATTERN } from './message-id.js'
import type { HistoryPage, HistoryRecord, HistoryStore, StoredRoom } from './history-store.js'

export const ROOM_NAME_PATTERN = /^[a-z0-9-]{1,32}$/
const LOG_VERSION = 1
// Logs are opened O_DSYNC where the platform has it: each append is durable when its write
// returns, as write + fdatasync were, with one thread-pool round trip instead of two (each
// costs the event loop ~40 us here, per room, per group commit).
const APPEND = constants.O_DSYNC === undefined ? 'a' : constants.O_APPEND | constants.O_CREAT | constants.O_WRONLY | constants.O_DSYNC
const openLog = (file: string) => open(file, APPEND, 0o600)

export interface FileHistoryOptions {
  /** Records kept per room (HISTORY_LIMIT); the log is compacted back to this many. */
  limit: number
  /** Told about a cut-off corrupt tail, naming the file. */
  warn?: (message: string) => void
  /** Told about a failed write (the records of that sync are dropped). */
  error?: (message: string, err: unknown) => void
  /** Called after each durable write of a log with the records it carried (tests count fsyncs with it). */
  onWrite?: (room: string, records: number) => void
}

// One room's log: what is durable and visible (kept), and what waits for the next sync.
interface Log {
  name: string
  cap: number
  file: string
  /** Durable records, ascending seq; readers see only the last `limit` (trimmed in bulk). */
  kept: HistoryRecord[]
  lastSeq: number
  pendingLines: string[]
  pendingRecords: HistoryRecord[]
  handle?: FileHandle
  /** Bytes of the file known to be good: a failed append is cut back to this. */
  size: number
  /** Records in the file: past 2 x limit, the file is rewritten with the last `limit`. */
  lines: number
  dropped: boolean
}

/**
 * Opens the store, reading every log in `dir` (created 0700 when missing). A torn or corrupt
 * tail (what a kill -9 or power loss mid-append leaves) is cut off with a warning naming the
 * file; any other damage rejects, leaving the files untouched, so start-up stops.
 */
export async function openFileHistoryStore(dir: string, opts: FileHistoryOptions): Promise<HistoryStore> {
  const limit = opts.limit
  if (!(Number.isSafeInteger(limit) && limit >= 1)) throw new Error('history limit must be a positive integer')
  const warn = opts.warn ?? (() => {})
  const reportError = opts.error ?? (() => {})
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await removeStaleTempFiles(dir)

  const logs = new Map<string, Log>()
  const rooms: StoredRoom[] = []
  let lastId = ''
  for (const name of (await readdir(dir)).sort()) {
    if (!name.endsWith('.log')) continue
    const room = name.slice(0, -4)
    const file = path.join(dir, name)
    if (!ROOM_NAME_PATTERN.test(room)) throw refuse(file, 'is not named after a room')
    const loaded = await loadLog(file, room, warn)
    if (!loaded) continue
    const { cap, records, size, mtimeMs } = loaded
    const last = records.at(-1)
    if (last && last.id > lastId) lastId = last.id
    logs.set(room, {
      name: room,
      cap,
      file,
      kept: records.slice(-limit),
      lastSeq: last?.seq ?? 0,
      pendingLines: [],
      pendingRecords: [],
      size,
      lines: records.length,
      dropped: false
    })
    rooms.push({ name: room, cap, lastSeq: last?.seq ?? 0, lastUsed: mtimeMs })
  }

  let chain: Promise<unknown> = Promise.resolve()
  let closed = false
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const result = chain.then(task)
    chain = result.catch(() => {})
    return result
  }

  // The last `limit` records, without copying.
  const windowStart = (log: Log) => Math.max(0, log.kept.length - limit)

  // Writes one log's pending lines with one write and one fsync; on failure cuts the file back.
  async function writeLog(log: Log, lines: string[], records: HistoryRecord[]): Promise<boolean> {
    const data = lines.join('')
    // A log whose header is not on disk yet: its file is new.
    const fresh = log.size === 0
    try {
      log.handle ??= await openLog(log.file)
      await log.handle.write(data)
      if (APPEND === 'a') await log.handle.datasync()
      // A new file's directory entry must be durable too, or a crash could lose the whole log.
      if (fresh) await syncDir(dir)
    } catch (err) {
      reportError(`could not write history log ${log.file}`, err)
      await log.handle?.truncate(log.size).catch(() => {})
      if (fresh) {
        // The header went with the failed write: it is written again (and the file created anew) first.
        await log.handle?.close().catch(() => {})
        log.handle = undefined
        log.pendingLines.unshift(header(log))
      }
      return false
    }
    opts.onWrite?.(log.name, records.length)
    if (log.dropped) return true
    log.size += Buffer.byteLength(data)
    log.lines += records.length
    for (const record of records) log.kept.push(record)
    if (records.length > 0) log.lastSeq = records.at(-1)!.seq
    if (log.kept.length >= 2 * limit) log.kept = log.kept.slice(-limit)
    if (log.lines >= 2 * limit) await compact(log)
    return true
  }

  // Rewrites the log as header + the last `limit` records, atomically; a failure keeps the old file.
  async function compact(log: Log): Promise<void> {
    const keep = log.kept.slice(windowStart(log))
    const data = header(log) + keep.map(line).join('')
    try {
      await writeFileAtomic(log.file, data, 0o600)
    } catch (err) {
      reportError(`could not compact history log ${log.file}`, err)
      return
    }
    await log.handle?.close().catch(() => {})
    log.handle = await openLog(log.file)
    log.size = Buffer.byteLength(data)
    log.lines = keep.length
  }

  async function syncAll(): Promise<string[]> {
    const batch: [Log, string[], HistoryRecord[]][] = []
    for (const log of logs.values()) {
      if (log.pendingLines.length === 0) continue
      batch.push([log, log.pendingLines, log.pendingRecords])
      log.pendingLines = []
      log.pendingRecords = []
    }
    const results = await Promise.all(batch.map(([log, lines, records]) => writeLog(log, lines, records)))
    return batch.filter((_, i) => !results[i]).map(([log]) => log.name)
  }

  const get = (room: string) => logs.get(room)

  return {
    rooms,
    lastId,
    create(room, cap) {
      if (closed) throw new Error('history store is closed')
      if (!ROOM_NAME_PATTERN.test(room)) throw new Error(`invalid room name ${JSON.stringify(room)}`)
      const log: Log = {
        name: room,
        cap,
        file: path.join(dir, `${room}.log`),
        kept: [],
        lastSeq: 0,
        pendingLines: [],
        pendingRecords: [],
        size: 0,
        lines: 0,
        dropped: false
      }
      log.pendingLines.push(header(log))
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
      const start = windowStart(log)
      let end = log.kept.length
      while (end > start && log.kept[end - 1]!.seq > upTo) end--
      return log.kept.slice(Math.max(start, end - count), end)
    },
    after(room, since, upTo) {
      const log = get(room)
      const lastSeq = log?.lastSeq ?? 0
      // A point beyond what this room ever had is not from its history (a room made anew).
      if (since > lastSeq) return undefined
      if (since >= upTo || !log) return []
      const start = windowStart(log)
      const first = log.kept[start]
      if (!first || since < first.seq - 1) return undefined
      const from = firstAbove(log.kept, start, since)
      let end = log.kept.length
      while (end > from && log.kept[end - 1]!.seq > upTo) end--
      return log.kept.slice(from, end)
    },
    before(room, before, count): HistoryPage {
      const log = get(room)
      if (!log) return { messages: [], more: false }
      const start = windowStart(log)
      const end = firstAbove(log.kept, start, before - 1)
      const from = Math.max(start, end - count)
      return { messages: log.kept.slice(from, end), more: from > start }
    },
    drop(room) {
      const log = logs.get(room)
      if (!log) return Promise.resolve()
      logs.delete(room)
      log.dropped = true
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

/** Index of the first record (at or after start) whose seq is above `seq`. */
function firstAbove(records: HistoryRecord[], start: number, seq: number): number {
  let lo = start
  let hi = records.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (records[mid]!.seq > seq) hi = mid
    else lo = mid + 1
  }
  return lo
}

const header = (log: Pick<Log, 'name' | 'cap'>) => JSON.stringify({ v: LOG_VERSION, room: log.name, cap: log.cap }) + '\n'

function line(record: HistoryRecord): string {
  const { seq, id, user, text, ts, cid } = record
  return JSON.stringify(cid === undefined ? { seq, id, user, text, ts } : { seq, id, user, text, ts, cid }) + '\n'
}

interface Loaded {
  cap: number
  records: HistoryRecord[]
  size: number
  mtimeMs: number
}

// Reads one log. Lines after the last good one (a torn or garbled tail) are cut off with a warning;
// a bad line followed by a good one, a bad header or out-of-order seqs refuse start-up.
async function loadLog(file: string, room: string, warn: (message: string) => void): Promise<Loaded | undefined> {
  let bytes: Buffer
  let mtimeMs: number
  try {
    bytes = await readFile(file)
    mtimeMs = (await stat(file)).mtimeMs
  } catch (err) {
    throw refuse(file, `cannot be read (${(err as Error).message})`, err)
  }
  const records: HistoryRecord[] = []
  let cap = 0
  let good = 0 // byte offset just after the last good line
  let badAt = -1 // line number of the first bad line after the last good one
  let lineNo = 0
  for (let offset = 0; offset < bytes.length; ) {
    const nl = bytes.indexOf(10, offset)
    const end = nl < 0 ? bytes.length : nl + 1
    lineNo++
    const parsed = nl < 0 ? undefined : parseLine(bytes.subarray(offset, nl).toString('utf8'))
    offset = end
    const ok = lineNo === 1 ? isHeader(parsed, room) : isRecord(parsed)
    if (!ok) {
      if (badAt < 0) badAt = lineNo
      continue
    }
    if (badAt >= 0) throw refuse(file, `has a malformed line ${badAt} before good ones`)
    if (lineNo === 1) {
      cap = (parsed as { cap: number }).cap
    } else {
      const record = parsed as HistoryRecord
      const previous = records.at(-1)
      if (previous && (record.seq <= previous.seq || record.id <= previous.id)) {
        throw refuse(file, `has seq ${record.seq} out of order at line ${lineNo}`)
      }
      records.push(record)
    }
    good = end
  }
  if (good < bytes.length) {
    warn(`history log ${file}: cut off a corrupt tail of ${bytes.length - good} bytes from line ${badAt}`)
    if (good === 0) {
      // Not even the header made it to disk: the room was never used.
      await rm(file, { force: true })
      return undefined
    }
    const handle = await open(file, 'r+')
    try {
      await handle.truncate(good)
      await handle.sync()
    } finally {
      await handle.close()
    }
  }
  return { cap, records, size: good, mtimeMs }
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isHeader(value: unknown, room: string): boolean {
  return (
    isObject(value) && value.v === LOG_VERSION && value.room === room && Number.isSafeInteger(value.cap) && (value.cap as number) >= 1
  )
}

function isRecord(value: unknown): value is HistoryRecord {
  return (
    isObject(value) &&
    Number.isSafeInteger(value.seq) &&
    (value.seq as number) > 0 &&
    typeof value.id === 'string' &&
    ID_PATTERN.test(value.id) &&
    typeof value.user === 'string' &&
    typeof value.text === 'string' &&
    typeof value.ts === 'number' &&
    (value.cid === undefined || typeof value.cid === 'string')
  )
}

// A kill during compaction can leave writeFileAtomic's temp file behind; it never held the only copy.
async function removeStaleTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) await rm(path.join(dir, name), { force: true })
  }
}

function refuse(file: string, problem: string, cause?: unknown): Error {
  return new Error(`history log ${file} ${problem}; the file was left untouched`, { cause })
}
