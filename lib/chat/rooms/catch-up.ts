// The server-chosen replies of the room hub as pull sources for a socket's paced output
// (bounded-output.ts stream): `joined` and its catch-up, `history` pages. Nothing is read or
// encoded before the socket has room for it; a store read may answer a value or a promise.
import type { FrameSource } from '../gateway/bounded-output.js'
import type { HistoryPage, HistoryRecord } from '../history/ports.js'
import type { MessageFrame } from '../../../schemas/frames.js'
import type { JoinedFrame } from '../../../schemas/room-frames.js'
import { encodeHistory, encodeJoined, encodeMessage } from '../protocol/server-frames.js'
import { then, type Awaitable } from '../../shared/ports.js'

/** The reads a catch-up needs: in memory a plain value, from disk a promise. */
export interface CatchUpStore {
  lastSeq(room: string): number
  recent(room: string, limit: number, upTo?: number): Awaitable<HistoryRecord[]>
  after(room: string, since: number, upTo: number): Awaitable<HistoryRecord[] | undefined>
  before(room: string, before: number, limit: number): Awaitable<HistoryPage>
}

/** A catch-up reads the store this many seqs at a time: at most this many records wait per socket. */
export const REPLAY_CHUNK = 100

/** `joined` as known at the join: without its messages, lastSeq and reset (members as at the join). */
export type JoinedHead = Omit<JoinedFrame, 'type' | 'lastSeq' | 'messages' | 'reset'>

/** A record's `message` frame (server-frames.ts messageFrame, bound to the room). */
export type ToFrame = (record: HistoryRecord) => MessageFrame

/** Frames from records (room.messageFrame), and the part of `joined` known at the join. */
export interface CatchUpOptions {
  store: CatchUpStore
  room: string
  toFrame: ToFrame
  head: JoinedHead
  /** `joined.lastSeq`: the member's joinSeq at the join. */
  upTo: number
  /** The client's last seq: every message after it follows `joined`, up to the live edge (recentJoined without one). */
  since: number
  /** A member already in the room: seqs in (upTo, sent] went out to it live and are not replayed. */
  sent?: number
  /** JOIN_HISTORY: the most messages `joined` carries. */
  recent: number
  /** The most bytes of messages one `joined` or `history` frame carries (then fewer, newest kept). */
  maxPageBytes: number
  /**
   * The replay reached the room's last durable seq (called in the same turn as that check): from
   * here on the member gets live messages after `seq`. Until then the live ones are not sent to it:
   * the replay reads them from the store, so nothing waits in memory for a slow catch-up.
   */
  onLive?(seq: number): void
}

/**
 * The newest records whose frames fit in `maxBytes`, oldest first: at least the newest one (a page
 * always moves on; one message is far below the output bound), at most all.
 */
export function fitPage(records: HistoryRecord[], toFrame: ToFrame, maxBytes: number): MessageFrame[] {
  const frames: MessageFrame[] = []
  let bytes = 0
  for (let i = records.length - 1; i >= 0; i--) {
    const frame = toFrame(records[i]!)
    bytes += Buffer.byteLength(JSON.stringify(frame)) + 1
    if (bytes > maxBytes && frames.length > 0) break
    frames.push(frame)
  }
  return frames.reverse()
}

/**
 * `joined`, then with `since` every kept message after it, in seq order, one frame per pull, until
 * the room's last durable seq (onLive). A `since` older than the kept history (or past what the
 * room ever had) gets `joined` with `reset` and the recent messages instead; so does a replay whose
 * next records were compacted away while it waited; the replay then goes on from there.
 */
export function catchUp(opts: CatchUpOptions): FrameSource {
  const { store, room, toFrame, head, upTo, since, maxPageBytes } = opts
  let chunk: HistoryRecord[] = []
  let i = 0
  let cursor = since
  let started = false
  let done = false

  const joined = (records: HistoryRecord[], lastSeq: number, reset: boolean) =>
    encodeJoined({ ...head, lastSeq, messages: fitPage(records, toFrame, maxPageBytes), ...(reset ? { reset: true } : {}) })
  // Reloads the room from its recent messages up to its last seq now; the replay goes on after it.
  const resetJoined = () => {
    const edge = Math.max(upTo, store.lastSeq(room))
    chunk = []
    i = 0
    cursor = edge
    return then(store.recent(room, opts.recent, edge), (records) => joined(records, edge, true))
  }
  // The next chunk of the replay; false when some of it is no longer kept.
  const sent = opts.sent ?? upTo
  const read = (): Awaitable<boolean> => {
    if (cursor >= upTo && cursor < sent) cursor = sent
    const edge = cursor < upTo ? upTo : store.lastSeq(room)
    const to = Math.max(cursor, Math.min(cursor + REPLAY_CHUNK, edge))
    return then(store.after(room, cursor, to), (records) => {
      if (records === undefined) return false
      chunk = records
      i = 0
      cursor = to
      return true
    })
  }
  const next = (): Awaitable<Buffer | undefined> => {
    if (done) return undefined
    if (i < chunk.length) return encodeMessage(toFrame(chunk[i++]!))
    chunk = []
    if (cursor >= store.lastSeq(room) || (cursor >= upTo && sent >= store.lastSeq(room))) {
      done = true
      opts.onLive?.(cursor)
      return undefined
    }
    return then(read(), (kept) => (kept ? next() : resetJoined()))
  }
  return () => {
    if (started) return next()
    started = true
    return then(read(), (kept) => (kept ? joined([], upTo, false) : resetJoined()))
  }
}

/** `joined` without a resume: the recent messages up to `upTo` that fit (the join's one frame). */
export function recentJoined(store: CatchUpStore, room: string, head: JoinedHead, upTo: number, recent: number, toFrame: ToFrame, maxPageBytes: number): FrameSource {
  let sent = false
  return () => {
    if (sent) return undefined
    sent = true
    return then(store.recent(room, recent, upTo), (records) => encodeJoined({ ...head, lastSeq: upTo, messages: fitPage(records, toFrame, maxPageBytes) }))
  }
}

/** One `history` page: messages with seq < before, newest last, fewer when they would not fit. */
export function historyPage(store: CatchUpStore, room: string, before: number, limit: number, toFrame: ToFrame, maxPageBytes: number): FrameSource {
  let sent = false
  return () => {
    if (sent) return undefined
    sent = true
    return then(store.before(room, before, limit), (page) => {
      const messages = fitPage(page.messages, toFrame, maxPageBytes)
      return encodeHistory(room, messages, page.more || messages.length < page.messages.length)
    })
  }
}

/** One frame already encoded (a `members` page, the rooms list), sent when there is room. */
export function once(data: Buffer): FrameSource {
  let sent = false
  return () => {
    if (sent) return undefined
    sent = true
    return data
  }
}
