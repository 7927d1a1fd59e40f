// One room's log file, DATA_DIR/history/<room>.log: a header line, then one JSON line per record.
// Reading and checking it at start-up, and the line formats; file-history-store.ts writes it.
import { constants, type Stats } from 'node:fs'
import { lstat, open, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import Type from 'typebox'
import { recordCheck, SafeInteger } from '../../shared/stored-record.js'
import { ID_PATTERN } from '../rooms/message-id.js'
import type { HistoryRecord } from './ports.js'

export const LOG_VERSION = 1
const NOFOLLOW = constants.O_NOFOLLOW ?? 0

export const header = (log: { name: string; cap: number }) => JSON.stringify({ v: LOG_VERSION, room: log.name, cap: log.cap }) + '\n'

export function line(record: HistoryRecord): string {
  const { seq, id, user, text, ts, cid } = record
  return JSON.stringify(cid === undefined ? { seq, id, user, text, ts } : { seq, id, user, text, ts, cid }) + '\n'
}

export interface Loaded {
  cap: number
  records: HistoryRecord[]
  size: number
  mtimeMs: number
}

// Reads one log. Lines after the last good one (a torn or garbled tail) are cut off with a warning;
// a bad line followed by a good one, a bad header or out-of-order seqs refuse start-up.
export async function loadLog(file: string, room: string, warn: (message: string) => void): Promise<Loaded | undefined> {
  let bytes: Buffer
  let mtimeMs: number
  try {
    const handle = await open(file, constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0))
    try {
      const stats = await handle.stat()
      if (!stats.isFile()) throw new Error('not a regular file')
      mtimeMs = stats.mtimeMs
      bytes = await handle.readFile()
    } finally {
      await handle.close()
    }
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
  if (good === 0 && bytes.length === 0) {
    // An empty file (a new log whose first write was rolled back): the room was never used.
    await rm(file, { force: true })
    return undefined
  }
  if (good < bytes.length) {
    warn(`history log ${file}: cut off a corrupt tail of ${bytes.length - good} bytes from line ${badAt}`)
    if (good === 0) {
      // Not even the header made it to disk: the room was never used.
      await rm(file, { force: true })
      return undefined
    }
    const handle = await open(file, constants.O_RDWR | NOFOLLOW)
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

const RecordSchema = Type.Object({
  seq: SafeInteger(1),
  id: Type.String({ pattern: ID_PATTERN.source }),
  user: Type.String(),
  text: Type.String(),
  ts: Type.Number(),
  cid: Type.Optional(Type.String())
})
const HeaderSchema = Type.Object({ v: Type.Literal(LOG_VERSION), room: Type.String(), cap: SafeInteger(1) })
const isHeaderLine = recordCheck(HeaderSchema)

function isHeader(value: unknown, room: string): boolean {
  return isHeaderLine(value) && value.room === room
}

export const isRecord: (value: unknown) => value is HistoryRecord = recordCheck(RecordSchema)

// A kill during compaction can leave writeFileAtomic's temp file behind; it never held the only copy.
export async function removeStaleTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) await rm(path.join(dir, name), { force: true })
  }
}

export async function refuseIrregular(file: string): Promise<Stats> {
  const stats = await lstat(file)
  if (stats.isFile()) return stats
  const kind = stats.isSymbolicLink() ? 'a symlink' : stats.isDirectory() ? 'a directory' : stats.isFIFO() ? 'a fifo' : 'not a regular file'
  throw refuse(file, `is ${kind}: DATA_DIR/history holds only regular files (remove it or move it away)`)
}

export function refuse(file: string, problem: string, cause?: unknown): Error {
  return new Error(`history log ${file} ${problem}; the file was left untouched`, { cause })
}

/** The records of a log's first `size` bytes (what the store knows is good), oldest first. */
export async function readRecords(file: string, size: number): Promise<HistoryRecord[]> {
  const handle = await open(file, constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0))
  let bytes: Buffer
  try {
    bytes = Buffer.alloc(size)
    let read = 0
    while (read < size) {
      const { bytesRead } = await handle.read(bytes, read, size - read, read)
      if (bytesRead === 0) break
      read += bytesRead
    }
    bytes = bytes.subarray(0, read)
  } finally {
    await handle.close()
  }
  const records: HistoryRecord[] = []
  let offset = bytes.indexOf(10) + 1 // after the header
  while (offset > 0 && offset < bytes.length) {
    const nl = bytes.indexOf(10, offset)
    if (nl < 0) break
    const parsed = parseLine(bytes.subarray(offset, nl).toString('utf8'))
    if (!isRecord(parsed)) throw new Error(`history log ${file}: a malformed line at byte ${offset}`)
    records.push(parsed)
    offset = nl + 1
  }
  return records
}
