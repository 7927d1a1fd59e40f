// A room's timeline: messages in seq order, each seq once however often it arrives (live, replay after a
// reconnect, history), with notices (joins, leaves) kept where they happened; and its grouping for display.
import type { ChatMessage } from './protocol.ts'

export type TimelineItem =
  | { kind: 'message'; key: string; seq: number; message: ChatMessage }
  | { kind: 'notice'; key: string; seq: number; text: string; ts: number }

export type Timeline = readonly TimelineItem[]

/** Items kept per room; older ones are dropped when new ones arrive. */
export const MAX_ITEMS = 1000

const lastSeqOf = (items: Timeline) => {
  for (let i = items.length - 1; i >= 0; i--) if (items[i]!.kind === 'message') return items[i]!.seq
  return 0
}

/** Adds messages not seen yet (by seq); keeps seq order; drops the oldest beyond `max` when appending. */
export function mergeMessages(items: Timeline, incoming: readonly ChatMessage[], max = MAX_ITEMS): Timeline {
  const seen = new Set<number>()
  for (const item of items) if (item.kind === 'message') seen.add(item.seq)
  const fresh: TimelineItem[] = []
  for (const message of incoming) {
    if (seen.has(message.seq)) continue
    seen.add(message.seq)
    fresh.push({ kind: 'message', key: `m${message.seq}`, seq: message.seq, message })
  }
  if (fresh.length === 0) return items
  fresh.sort((a, b) => a.seq - b.seq)
  const last = lastSeqOf(items)
  let merged: TimelineItem[]
  if (fresh[0]!.seq > last) {
    merged = [...items, ...fresh]
    return merged.length > max ? merged.slice(merged.length - max) : merged
  }
  // Older messages (history) or a gap filled: a stable sort keeps notices after the message they followed.
  merged = [...items, ...fresh].sort((a, b) => a.seq - b.seq)
  return merged
}

let noticeCounter = 0

/** A line such as "alice joined", placed after the newest message seen so far. */
export function addNotice(items: Timeline, text: string, ts: number, max = MAX_ITEMS): Timeline {
  const item: TimelineItem = { kind: 'notice', key: `n${++noticeCounter}`, seq: lastSeqOf(items) + 0.5, text, ts }
  const merged = [...items, item]
  return merged.length > max ? merged.slice(merged.length - max) : merged
}

/** The oldest message's seq (for `history` with `before`), or 0 when there is none. */
export function firstSeq(items: Timeline): number {
  for (const item of items) if (item.kind === 'message') return item.seq
  return 0
}

export { lastSeqOf as lastSeq }

export type Block =
  | { kind: 'day'; key: string; ts: number }
  | { kind: 'notice'; key: string; text: string; ts: number }
  | { kind: 'group'; key: string; user: string; own: boolean; messages: ChatMessage[] }

/** Messages from one person closer than this (and on the same day) share one name and time. */
export const GROUP_GAP_MS = 5 * 60_000

const localDay = (ts: number) => new Date(ts).toDateString()

/** Day dividers, notices and runs of consecutive messages from one person. */
export function groupTimeline(items: Timeline, me: string | null, dayOf: (ts: number) => string = localDay): Block[] {
  const blocks: Block[] = []
  let day = ''
  let group: Extract<Block, { kind: 'group' }> | null = null
  for (const item of items) {
    const ts = item.kind === 'message' ? item.message.ts : item.ts
    const itemDay = dayOf(ts)
    if (itemDay !== day) {
      day = itemDay
      group = null
      blocks.push({ kind: 'day', key: `d${item.key}`, ts })
    }
    if (item.kind === 'notice') {
      group = null
      blocks.push({ kind: 'notice', key: item.key, text: item.text, ts })
      continue
    }
    const m = item.message
    const previous = group?.messages[group.messages.length - 1]
    if (group && previous && group.user === m.user && m.ts - previous.ts < GROUP_GAP_MS) {
      group.messages.push(m)
      continue
    }
    group = { kind: 'group', key: `g${item.key}`, user: m.user, own: m.user === me, messages: [m] }
    blocks.push(group)
  }
  return blocks
}
