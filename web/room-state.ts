// One joined room as the page sees it: its timeline, members (a list, or pages of a large room),
// counts and history paging, as signals.
import { signal } from '@preact/signals'
import type { Timeline } from './timeline.ts'

export function createRoomState(name: string) {
  return {
    name,
    /** Set once the first `joined` came: later ones are resumes, whose new messages count as unread. */
    joinedBefore: false,
    items: signal<Timeline>([]),
    /** Listed room: everyone in it. Large room: the names of the pages loaded so far (web/members.ts). */
    members: signal<readonly string[]>([]),
    /** Users in the room: the server's count, the only one in a large room. */
    online: signal(0),
    /** Over the server's MEMBER_LIST_MAX: no presence, names fetched in pages with `members`. */
    large: signal(false),
    /** Large room: the offset of the next page to ask for (0: none loaded yet). */
    membersNext: signal(0),
    /** Large room: names after the loaded pages exist (or none was loaded yet). */
    membersMore: signal(false),
    /** A `members` page was asked for and not answered yet. */
    membersLoading: signal(false),
    /** The first page was asked for on its own since the list was last dropped (asked once, not after a refusal). */
    membersAsked: signal(false),
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
