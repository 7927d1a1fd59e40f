// Shown while scrolled up when messages arrived below: jumps to the newest.
import { tn } from '../i18n/index.ts'

export function NewMessagesPill({ count, onClick }: { count: number; onClick: () => void }) {
  return (
    <button type="button" class="pill" data-testid="new-messages" onClick={onClick}>
      {tn('messages.new', count)} <span aria-hidden="true">↓</span>
    </button>
  )
}
