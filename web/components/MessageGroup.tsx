// Consecutive messages of one person: avatar, name and time once; each message's own time shows on
// hover and focus. Own messages sit on the right in their own colour, without the name.
import { mentions } from '../message-format.ts'
import type { Block } from '../timeline.ts'
import { Avatar } from './Avatar.tsx'
import { MessageText } from './MessageText.tsx'
import { formatDateTime, formatTime, t } from '../i18n/index.ts'

type Group = Extract<Block, { kind: 'group' }>

export function MessageGroup({ group, me }: { group: Group; me: string | null }) {
  const first = group.messages[0]!
  return (
    <li class={group.own ? 'group group--own' : 'group'} data-testid="message-group" data-user={group.user}>
      {!group.own && <Avatar name={group.user} />}
      <div class="group__body">
        <div class="group__meta">
          {group.own ? (
            <span class="visually-hidden" data-testid="message-group-user">{t('messages.you')}</span>
          ) : (
            <span class="group__user" data-testid="message-group-user">{group.user}</span>
          )}
          <time class="group__time" dateTime={new Date(first.ts).toISOString()}>{formatTime(first.ts)}</time>
        </div>
        <ul class="group__messages">
          {group.messages.map((m) => {
            const date = new Date(m.ts)
            const mention = !group.own && mentions(m.text, me)
            return (
              <li key={m.seq} class={mention ? 'message message--mention' : 'message'} data-testid="message"
                data-user={m.user} data-seq={m.seq} tabIndex={0}>
                <span class="visually-hidden" data-testid="message-user">{m.user}</span>
                <MessageText text={m.text} me={group.own ? null : me} />
                <time class="message__time" dateTime={date.toISOString()} title={formatDateTime(date)}>
                  {formatTime(date)}
                </time>
              </li>
            )
          })}
        </ul>
      </div>
    </li>
  )
}
