// The page's state: signals and computed values from createChatState(), shared through context.
import { computed, signal } from '@preact/signals'
// The server's own counter (plain code, no Node APIs), so the page and the server never disagree.
import { countGraphemes as countClusters } from '../lib/chat/rooms/message-text.ts'
import { loadAlertPrefs } from './alerts.ts'
import type { Outbox } from './outbox.ts'
import { LOBBY, type Limits, type RoomInfo } from './protocol.ts'
import type { RoomState } from './room-state.ts'
import { requiredContext } from './context.ts'

export type View = 'loading' | 'login' | 'chat'
/** `offline`: the browser reports no network; `reconnecting`: waiting for the next try. */
export type Link = 'connecting' | 'open' | 'reconnecting' | 'offline'
/** On a phone one pane shows at a time; wide screens show all three. */
export type Pane = 'rooms' | 'chat' | 'members'

/** User-perceived characters of a text as the server counts them (trimmed, NFC). */
export function countGraphemes(text: string): number {
  return countClusters(text.trim().normalize('NFC'))
}

export function createChatState() {
  const view = signal<View>('loading')
  const user = signal<string | null>(null)
  /** Why the login view is shown (idle kick, expiry), if not by choice. */
  const loginNotice = signal('')
  const link = signal<Link>('connecting')
  /** Why the link is down beyond a plain drop (refused, rate limited), shown in the banner. */
  const linkProblem = signal('')
  /** Date.now() of the next reconnect try (0: none planned). */
  const nextRetryAt = signal(0)
  const limits = signal<Limits | null>(null)
  /** Joined rooms, in the order joined. */
  const rooms = signal<readonly RoomState[]>([])
  const currentRoom = signal(LOBBY)
  /** The server's room list (answer to `rooms`). */
  const directory = signal<readonly RoomInfo[]>([])
  /** A refused join/create/leave, shown in the room list. */
  const roomError = signal('')
  const outbox = signal<Outbox>([])
  const pane = signal<Pane>('chat')
  /** The current room's draft; the other rooms' drafts wait in `drafts` until their room is shown again. */
  const draft = signal('')
  const drafts = signal<Readonly<Record<string, string>>>({})
  const composerError = signal<{ code: string; message: string } | null>(null)
  /** Date.now() values at which the rate limit lifts and the idle reaper kicks. */
  const rateLimitedUntil = signal(0)
  const idleKickAt = signal(0)
  /** Desktop notification and sound for messages out of view (remembered per browser). */
  const alerts = signal(loadAlertPrefs())

  const room = computed(() => rooms.value.find((r) => r.name === currentRoom.value) ?? null)
  const draftLength = computed(() => countGraphemes(draft.value))
  const maxChars = computed(() => limits.value?.maxChars ?? 0)
  const overLimit = computed(() => limits.value !== null && draftLength.value > maxChars.value)
  const rateLimited = computed(() => rateLimitedUntil.value > 0)
  // Offline drafting is allowed: the message waits in the outbox and goes out after the reconnect.
  const canSend = computed(
    () => room.value !== null && draftLength.value > 0 && !overLimit.value && !rateLimited.value
  )
  /** Text that logging out would lose: a draft in any room or a message not yet sent. */
  const unsavedText = computed(
    () => draft.value.trim() !== '' || Object.values(drafts.value).some((d) => d.trim() !== '') || outbox.value.length > 0
  )
  /** Text that leaving room `name` would lose: its draft (shown or kept aside) or messages still waiting for it. */
  const unsavedIn = (name: string) =>
    (name === currentRoom.value ? draft.value : (drafts.value[name] ?? '')).trim() !== '' || outbox.value.some((e) => e.room === name)
  const totalUnread = computed(() => rooms.value.reduce((n, r) => n + r.unread.value, 0))
  /** The tab title's count: unread everywhere, and in the room in view also what arrived below while scrolled up. */
  const titleUnread = computed(() =>
    rooms.value.reduce((n, r) => n + (r.name === currentRoom.value ? Math.max(r.unread.value, r.unseenBelow.value) : r.unread.value), 0)
  )

  return {
    view,
    user,
    loginNotice,
    link,
    linkProblem,
    nextRetryAt,
    limits,
    rooms,
    currentRoom,
    directory,
    roomError,
    outbox,
    pane,
    draft,
    drafts,
    composerError,
    rateLimitedUntil,
    idleKickAt,
    alerts,
    room,
    draftLength,
    maxChars,
    overLimit,
    rateLimited,
    canSend,
    unsavedText,
    unsavedIn,
    totalUnread,
    titleUnread
  }
}

export type ChatState = ReturnType<typeof createChatState>

/** The state for every component below its provider. */
export const [ChatStateContext, useChatState] = requiredContext<ChatState>('useChatState')
