// A user's initials on their own colour (decorative: the name is always written next to it).
import { initials, userColour } from '../message-format.ts'

export function Avatar({ name }: { name: string }) {
  return (
    <span class={`avatar avatar--c${userColour(name)}`} aria-hidden="true">
      {initials(name)}
    </span>
  )
}
