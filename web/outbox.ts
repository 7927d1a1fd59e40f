// Messages on their way out, each with its client id (cid): queued while offline or behind the one in
// flight, resent with the same cid after a reconnect (the server drops a repeated cid, so a resend is
// never a double post), removed when the server's broadcast carries the cid back, or marked not sent.
// Plain immutable data and functions: the page keeps the list in a signal.

export type OutboxStatus = 'queued' | 'sending' | 'failed'

export interface OutboxEntry {
  readonly cid: string
  readonly room: string
  readonly text: string
  readonly status: OutboxStatus
  /** Why it was not sent (status `failed`). */
  readonly reason?: string
}

export type Outbox = readonly OutboxEntry[]

export function enqueue(outbox: Outbox, cid: string, room: string, text: string): Outbox {
  return [...outbox, { cid, room, text, status: 'queued' }]
}

/** The entry in flight, if any: only one at a time, so a refusal can be matched to its message. */
export function inFlight(outbox: Outbox): OutboxEntry | undefined {
  return outbox.find((e) => e.status === 'sending')
}

/** The next entry to send now: none while one is in flight; only for rooms that are ready. */
export function nextToSend(outbox: Outbox, ready: (room: string) => boolean): OutboxEntry | undefined {
  if (inFlight(outbox)) return undefined
  return outbox.find((e) => e.status === 'queued' && ready(e.room))
}

function update(outbox: Outbox, cid: string, change: Partial<OutboxEntry>): Outbox {
  return outbox.map((e) => (e.cid === cid ? { ...e, ...change } : e))
}

export const markSending = (outbox: Outbox, cid: string): Outbox => update(outbox, cid, { status: 'sending' })

/** Back in the queue, to be sent again with the same cid. */
export const requeue = (outbox: Outbox, cid: string): Outbox => update(outbox, cid, { status: 'queued' })

export const markFailed = (outbox: Outbox, cid: string, reason: string): Outbox =>
  update(outbox, cid, { status: 'failed', reason })

/** The server broadcast the message with this cid: it is delivered (whatever state it was in). */
export function acknowledge(outbox: Outbox, cid: string | undefined): Outbox {
  if (cid === undefined || !outbox.some((e) => e.cid === cid)) return outbox
  return outbox.filter((e) => e.cid !== cid)
}

export const remove = acknowledge

/** The socket dropped: what was in flight may or may not have arrived; it is resent (same cid). */
export function requeueInFlight(outbox: Outbox): Outbox {
  return outbox.some((e) => e.status === 'sending')
    ? outbox.map((e) => (e.status === 'sending' ? { ...e, status: 'queued' } : e))
    : outbox
}

/** Everything still unsent (e.g. the session ended): marked not sent, never silently dropped. */
export function failAll(outbox: Outbox, reason: string): Outbox {
  return outbox.map((e) => (e.status === 'failed' ? e : { ...e, status: 'failed', reason }))
}

/** Entries of a left room can no longer be sent. */
export function failRoom(outbox: Outbox, room: string, reason: string): Outbox {
  return outbox.map((e) => (e.room === room && e.status !== 'failed' ? { ...e, status: 'failed', reason } : e))
}
