// Shown while scrolled up when messages arrived below: jumps to the newest.
export function NewMessagesPill({ count, onClick }: { count: number; onClick: () => void }) {
  return (
    <button type="button" class="pill" data-testid="new-messages" onClick={onClick}>
      {count === 1 ? '1 new message' : `${count} new messages`} ↓
    </button>
  )
}
