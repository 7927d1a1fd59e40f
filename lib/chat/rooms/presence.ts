// Presence batching helpers for the room hub: the flush timer and which queued joins/leaves are news.

/** Schedules one room's presence flush; a fake in tests. The default is an unref'd setTimeout. */
export interface PresenceTimer {
  set(flush: () => void, ms: number): unknown
  clear(handle: unknown): void
}

export const realTimer: PresenceTimer = {
  set: (flush, ms) => setTimeout(flush, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout)
}

/** A join or leave waiting for the room's presence flush. */
export interface PresenceEvent {
  user: string
  join: boolean
  /** The room's presence count after this event. */
  gen: number
  /** Encoded at the flush, once for every recipient. */
  data?: Buffer
}

/** The events of a queue (from index `from`) that change something: each user's last, when its count there is odd. */
export function netPresence(events: PresenceEvent[], from: number): PresenceEvent[] {
  const last = new Map<string, { event: PresenceEvent; odd: boolean }>()
  for (let i = from; i < events.length; i++) {
    const event = events[i]!
    last.set(event.user, { event, odd: !last.get(event.user)?.odd })
  }
  const net: PresenceEvent[] = []
  for (const { event, odd } of last.values()) if (odd) net.push(event)
  return net.sort((a, b) => a.gen - b.gen)
}
