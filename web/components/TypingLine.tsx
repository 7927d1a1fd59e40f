// "alice is typing…" under the conversation; the line keeps its height so nothing jumps.
import type { RoomState } from '../room-state.ts'
import { t } from '../i18n/index.ts'

function describe(names: string[]): string {
  if (names.length === 0) return ''
  if (names.length === 1) return t('typing.one', { name: names[0]! })
  if (names.length === 2) return t('typing.two', { first: names[0]!, second: names[1]! })
  return t('typing.many')
}

export function TypingLine({ room }: { room: RoomState }) {
  const now = Date.now()
  const names = Object.entries(room.typing.value)
    .filter(([, until]) => until > now)
    .map(([name]) => name)
    .sort()
  return (
    <p class="typing" data-testid="typing-line" aria-live="polite">
      {describe(names)}
    </p>
  )
}
