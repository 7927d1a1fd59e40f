// The room's messages, newest last; keeps to the bottom unless the reader has scrolled up.
import { useLayoutEffect, useRef } from 'preact/hooks'
import type { MessageFrame } from '../../schemas/frames.ts'
import { useChatState } from '../state.ts'

// Within this many pixels of the bottom counts as "at the bottom".
const STICK_PX = 48

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

function Message({ message, own }: { message: MessageFrame; own: boolean }) {
  const date = new Date(message.ts)
  return (
    <li class={own ? 'message message--own' : 'message'} data-testid="message">
      <div class="message__meta">
        <span class="message__user" data-testid="message-user">{message.user}</span>
        <time class="message__time" dateTime={date.toISOString()} title={date.toLocaleString()}>
          {timeFormat.format(date)}
        </time>
      </div>
      <p class="message__text" data-testid="message-text">{message.text}</p>
    </li>
  )
}

export function MessageList() {
  const state = useChatState()
  const listRef = useRef<HTMLOListElement>(null)
  const atBottom = useRef(true)
  const messages = state.messages.value
  const me = state.user.value

  useLayoutEffect(() => {
    const list = listRef.current
    const last = messages[messages.length - 1]
    // Follow new messages when already at the bottom, and always after one's own.
    if (list && (atBottom.current || last?.user === me)) list.scrollTop = list.scrollHeight
  }, [messages, me])

  function onScroll() {
    const list = listRef.current
    if (list) atBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < STICK_PX
  }

  return (
    <ol ref={listRef} class="messages" id="messages" data-testid="message-list" onScroll={onScroll}
      aria-live="polite" aria-relevant="additions" aria-label="Messages" tabIndex={0}>
      {messages.length === 0 && <li class="messages__empty">No messages yet. Say hello!</li>}
      {messages.map((m) => <Message key={m.id} message={m} own={m.user === me} />)}
    </ol>
  )
}
