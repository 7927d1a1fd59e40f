// The in-memory part of the room history: each room's newest records, within one byte budget for
// the whole server (HISTORY_MEMORY_MB). Over the budget, the least recently used rooms' records
// are dropped from memory (they stay on disk; the store reads them back on demand).
import type { HistoryPage, HistoryRecord } from './ports.js'

/** A room's records in memory: the newest ones of its log, ascending seq. */
export interface Cached {
  kept: HistoryRecord[]
  keptBytes: number
}

/**
 * Bytes a record holds in memory, as counted against the budget: its strings at two bytes a code
 * unit (V8 keeps non-Latin-1 text as UTF-16) and the object, its slots and string headers (measured
 * at ~130 bytes with v8.getHeapStatistics on Node 20; 160 leaves room).
 */
export const RECORD_OVERHEAD = 160
export const recordBytes = (r: HistoryRecord): number =>
  RECORD_OVERHEAD + 2 * (r.text.length + r.user.length + r.id.length + (r.cid?.length ?? 0))

export interface HistoryCache {
  /** Bytes of records in memory, all rooms. */
  readonly bytes: number
  /** Marks a room as just used (the last to lose its records). */
  touch(c: Cached): void
  /** Adds newly durable records; keeps at most `keep` (trimmed in bulk once `keep + slack` are held). */
  push(c: Cached, records: HistoryRecord[]): void
  /** Replaces a room's records (read back from disk, or compacted). */
  replace(c: Cached, records: HistoryRecord[]): void
  /** A room is gone: its records no longer count. */
  forget(c: Cached): void
  /** While over the budget, drops the records of the least recently used rooms, never `except`'s. */
  evict(except?: Cached): void
}

export function createHistoryCache(budgetBytes: number, keep: number, slack: number): HistoryCache {
  let total = 0
  // Insertion order is use order: the first entry is the least recently used room holding records.
  const lru = new Map<Cached, true>()
  const sum = (records: HistoryRecord[]) => records.reduce((n, r) => n + recordBytes(r), 0)
  const cache: HistoryCache = {
    get bytes() {
      return total
    },
    touch(c) {
      lru.delete(c)
      lru.set(c, true)
    },
    push(c, records) {
      for (const record of records) {
        c.kept.push(record)
        const n = recordBytes(record)
        c.keptBytes += n
        total += n
      }
      if (c.kept.length >= keep + slack) cache.replace(c, c.kept.slice(-keep))
      cache.touch(c)
    },
    replace(c, records) {
      total -= c.keptBytes
      c.kept = records
      c.keptBytes = sum(records)
      total += c.keptBytes
      cache.touch(c)
    },
    forget(c) {
      total -= c.keptBytes
      c.kept = []
      c.keptBytes = 0
      lru.delete(c)
    },
    evict(except) {
      if (total <= budgetBytes) return
      for (const c of lru.keys()) {
        if (total <= budgetBytes) return
        if (c !== except) cache.forget(c)
      }
    }
  }
  return cache
}

// Queries over a room's records in memory, from `start` (readers see the last HISTORY_LIMIT).

/** Index of the first record (at or after start) whose seq is above `seq`. */
export function firstAbove(records: HistoryRecord[], start: number, seq: number): number {
  let lo = start
  let hi = records.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (records[mid]!.seq > seq) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** End (exclusive) of the records with seq <= upTo. */
export function newestUpTo(records: HistoryRecord[], start: number, upTo: number): number {
  let end = records.length
  while (end > start && records[end - 1]!.seq > upTo) end--
  return end
}

/** The newest `count` records with seq <= upTo. */
export function recentOf(records: HistoryRecord[], start: number, count: number, upTo: number): HistoryRecord[] {
  const end = newestUpTo(records, start, upTo)
  return records.slice(Math.max(start, end - count), end)
}

/** Records with since < seq <= upTo; undefined when some of them are older than the first kept. */
export function afterOf(records: HistoryRecord[], start: number, since: number, upTo: number): HistoryRecord[] | undefined {
  const first = records[start]
  if (!first || since < first.seq - 1) return undefined
  const from = firstAbove(records, start, since)
  return records.slice(from, Math.max(from, newestUpTo(records, from, upTo)))
}

/** At most `count` records with seq < before, and whether older ones are kept. */
export function pageBefore(records: HistoryRecord[], start: number, before: number, count: number): HistoryPage {
  const end = firstAbove(records, start, before - 1)
  const from = Math.max(start, end - count)
  return { messages: records.slice(from, end), more: from > start }
}
