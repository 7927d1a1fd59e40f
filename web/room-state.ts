// One joined room as the page sees it: its timeline, members, counts and history paging, as signals.
import { signal } from '@preact/signals'
import type { Timeline } from './timeline.ts'

export function createRoomState(name: string) {
  return {
    name,
    /** Set once the first `joined` came: later ones are resumes, whose new messages count as unread. */
    joinedBefore: false,
    items: signal<Timeline>([]),
    members: signal<readonly string[]>([]),
    online: signal(0),
    cap: signal(0),
    /** Messages that arrived while the room was not in view. */
    unread: signal(0),
    /** Of those, how many mention the user. */
    mentions: signal(0),
    /** Messages of others that came in below while the reader was scrolled up (the pill's count). */
    unseenBelow: signal(0),
    /** `joining` until the server answered the (re)join; messages for it wait in the outbox. */
    status: signal<'joining' | 'joined'>('joining'),
    /** Older messages may exist on the server (history on scroll-back). */
    more: signal(true),
    loadingHistory: signal(false),
    /** Who else is typing, with the Date.now() until which to show it. */
    typing: signal<Readonly<Record<string, number>>>({})
  }
}

export type RoomState = ReturnType<typeof createRoomState>
