// The history port: each room's recent messages, kept durably (append, read after/before, last seq).
// Local adapter: file-history-store.ts (one log file per room); a Redis one implements the same interface.
import type { Awaitable } from '../../shared/ports.js'

/** One accepted message as stored; the room is the log it lives in. */
export interface HistoryRecord {
  seq: number
  id: string
  user: string
  text: string
  ts: number
  cid?: string
}

/** A room found in the store at open. */
export interface StoredRoom {
  name: string
  cap: number
  /** Greatest seq ever made durable in this room (0 when none). */
  lastSeq: number
  /** When the room was last written to (ms since the epoch). */
  lastUsed: number
  /** The cids of its kept records, ascending seq (so the hub need not read them back). */
  cids?: StoredCid[]
}

/** A client message id found in a stored room's history at open (for the resend window). */
export interface StoredCid {
  seq: number
  user: string
  cid: string
}

export interface HistoryPage {
  messages: HistoryRecord[]
  more: boolean
}

export interface HistoryStore {
  /** The rooms that were on disk at open. */
  readonly rooms: StoredRoom[]
  /** The greatest message id in the store at open ('' when none). */
  readonly lastId: string
  /** Starts a room's log (its header is written by the next sync). */
  create(room: string, cap: number): void
  /** Queues a record; it is durable, and visible to the readers below, once a later sync() resolves. */
  append(room: string, record: HistoryRecord): void
  /**
   * Makes everything appended so far durable: one write and one fsync per room log touched,
   * however many records, and then visible to the readers below. Resolves with the rooms whose
   * records could not be written: those records are dropped (never visible, never on disk).
   */
  sync(): Promise<string[]>
  /** Greatest durable seq of a room (0 when none). */
  lastSeq(room: string): number
  /** The newest `limit` durable records with seq <= upTo, oldest first. */
  recent(room: string, limit: number, upTo?: number): Awaitable<HistoryRecord[]>
  /** Records with since < seq <= upTo, oldest first; undefined when some of them are no longer kept. */
  after(room: string, since: number, upTo: number): Awaitable<HistoryRecord[] | undefined>
  /** At most `limit` records with seq < before, newest last, and whether older ones exist. */
  before(room: string, before: number, limit: number): Awaitable<HistoryPage>
  /** Removes a room and its history. */
  drop(room: string): Promise<void>
  /** Syncs what is pending and closes the logs. */
  close(): Promise<void>
}
