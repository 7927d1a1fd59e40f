// "alice is typing…" under the conversation; the line keeps its height so nothing jumps.
import type { RoomState } from '../room-state.ts'

function describe(names: string[]): string {
  if (names.length === 0) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`
  return 'Several people are typing…'
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
