// The grouped timeline: day dividers, join/leave notices and runs of messages from one person.
import type { Block } from '../timeline.ts'
import { MessageGroup } from './MessageGroup.tsx'
import { formatDay, formatTime, t } from '../i18n/index.ts'


function dayLabel(ts: number): string {
  const day = new Date(ts).toDateString()
  if (day === new Date().toDateString()) return t('day.today')
  if (day === new Date(Date.now() - 86_400_000).toDateString()) return t('day.yesterday')
  return formatDay(ts)
}

export function Blocks({ blocks, me }: { blocks: Block[]; me: string | null }) {
  return (
    <>
      {blocks.map((b) => {
        switch (b.kind) {
          case 'day':
            return (
              <li key={b.key} class="day-divider" data-testid="day-divider">
                <span>{dayLabel(b.ts)}</span>
              </li>
            )
          case 'notice':
            return (
              <li key={b.key} class="timeline-notice" data-testid="presence-notice">
                {b.text} <time dateTime={new Date(b.ts).toISOString()}>{formatTime(b.ts)}</time>
              </li>
            )
          case 'group':
            return <MessageGroup key={b.key} group={b} me={me} />
        }
      })}
    </>
  )
}
