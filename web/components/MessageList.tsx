// The room's conversation, newest last: stays at the bottom unless the reader scrolled up (then a
// "new messages" pill counts what arrived), loads older messages when scrolled to the top.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks'
import { useSignal } from '@preact/signals'
import { useActions } from '../actions.ts'
import type { RoomState } from '../room-state.ts'
import { useChatState } from '../state.ts'
import { groupTimeline, lastSeq } from '../timeline.ts'
import { Blocks } from './Blocks.tsx'
import { NewMessagesPill } from './NewMessagesPill.tsx'
import { PendingMessages } from './PendingMessages.tsx'
import { t } from '../i18n/index.ts'

// Within this many pixels of the bottom counts as "at the bottom"; of the top, as "load older".
const STICK_PX = 48
const TOP_PX = 80

export function MessageList({ room }: { room: RoomState }) {
  const state = useChatState()
  const actions = useActions()
  const listRef = useRef<HTMLOListElement>(null)
  const atBottom = useRef(true)
  const height = useRef(0)
  const firstKey = useRef('')
  const queued = useRef(0)
  /** The newest seq the reader has seen at the bottom; the pill counts what came after. */
  const seenSeq = useSignal(lastSeq(room.items.value))
  const items = room.items.value
  const me = state.user.value
  const pending = state.outbox.value.filter((e) => e.room === room.name)

  useLayoutEffect(() => {
    const list = listRef.current
    if (!list) return
    const first = items[0]?.key ?? ''
    // The reader just sent a message: show it, even when scrolled up.
    if (pending.length > queued.current) atBottom.current = true
    queued.current = pending.length
    if (firstKey.current && first !== firstKey.current && !atBottom.current) {
      // Older messages were added on top: keep what the reader was looking at in place.
      list.scrollTop += list.scrollHeight - height.current
    } else if (atBottom.current) {
      list.scrollTop = list.scrollHeight
      seenSeq.value = lastSeq(items)
    }
    firstKey.current = first
    height.current = list.scrollHeight
  }, [items, pending.length])

  function onScroll() {
    const list = listRef.current
    if (!list) return
    height.current = list.scrollHeight
    atBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < STICK_PX
    if (atBottom.current) seenSeq.value = lastSeq(room.items.value)
    if (list.scrollTop < TOP_PX) actions.loadOlder(room.name)
  }

  function toBottom() {
    const list = listRef.current
    // The pill goes away under the pointer or key: the focus stays in the conversation, not on <body>.
    list?.focus({ preventScroll: true })
    if (list) list.scrollTop = list.scrollHeight
    atBottom.current = true
    seenSeq.value = lastSeq(room.items.value)
  }

  const unseen = items.filter((i) => i.kind === 'message' && i.seq > seenSeq.value && i.message.user !== me).length
  // The tab title counts them too (the room is in view, but these are not).
  useEffect(() => {
    room.unseenBelow.value = unseen
    return () => {
      room.unseenBelow.value = 0
    }
  }, [unseen])
  return (
    <div class="messages-wrap">
      <ol ref={listRef} class="messages" id="messages" data-testid="message-list" onScroll={onScroll}
        aria-label={t('messages.label', { room: room.name })} tabIndex={0}>
        {room.more.value && (
          <li class="messages__older">
            <button type="button" class="button button--small" data-testid="load-older"
              disabled={room.loadingHistory.value} onClick={() => actions.loadOlder(room.name)}>
              {room.loadingHistory.value ? t('messages.loading') : t('messages.older')}
            </button>
          </li>
        )}
        {items.length === 0 && pending.length === 0 && <li class="messages__empty">{t('messages.empty')}</li>}
        <Blocks blocks={groupTimeline(items, me)} me={me} />
        <PendingMessages entries={pending} />
      </ol>
      {unseen > 0 && <NewMessagesPill count={unseen} onClick={toBottom} />}
    </div>
  )
}
