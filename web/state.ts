// The page's state: signals and computed values from createChatState(), shared through context.
import { computed, signal } from '@preact/signals'
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { ErrorCode, Limits, MessageFrame } from '../schemas/frames.ts'
// The server's own counter (plain code, no Node APIs), so the page and the server never disagree.
import { countGraphemes as countClusters } from '../lib/message-text.ts'

export type View = 'loading' | 'login' | 'chat'
export type Link = 'connecting' | 'open' | 'reconnecting'

/** Messages kept on the page; older ones are dropped. */
export const MAX_MESSAGES = 500

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
  const room = signal('')
  const limits = signal<Limits | null>(null)
  const messages = signal<MessageFrame[]>([])
  const draft = signal('')
  const composerError = signal<{ code: ErrorCode; message: string } | null>(null)
  /** Date.now() values at which the rate limit lifts and the idle reaper kicks. */
  const rateLimitedUntil = signal(0)
  const idleKickAt = signal(0)

  const draftLength = computed(() => countGraphemes(draft.value))
  const maxChars = computed(() => limits.value?.maxChars ?? 0)
  const overLimit = computed(() => limits.value !== null && draftLength.value > maxChars.value)
  const canSend = computed(
    () => link.value === 'open' && draftLength.value > 0 && !overLimit.value
  )

  return {
    view,
    user,
    loginNotice,
    link,
    room,
    limits,
    messages,
    draft,
    composerError,
    rateLimitedUntil,
    idleKickAt,
    draftLength,
    maxChars,
    overLimit,
    canSend
  }
}

export type ChatState = ReturnType<typeof createChatState>

export const ChatStateContext = createContext<ChatState | null>(null)

export function useChatState(): ChatState {
  const state = useContext(ChatStateContext)
  if (!state) throw new Error('useChatState() needs a ChatStateContext provider')
  return state
}
