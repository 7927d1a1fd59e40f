// A message's text as text: http(s) links become safe <a> elements, mentions of the reader are marked,
// nothing else ever becomes markup. Emoji-only messages are shown larger.
import { isEmojiOnly, segmentText } from '../message-format.ts'

export function MessageText({ text, me }: { text: string; me: string | null }) {
  const emoji = isEmojiOnly(text)
  return (
    <p class={emoji ? 'message__text message__text--emoji' : 'message__text'} data-testid="message-text">
      {segmentText(text, me).map((s, i) => {
        if (s.kind === 'link') {
          return (
            <a key={i} href={s.href} target="_blank" rel="noopener noreferrer" class="message__link">
              {s.text}
            </a>
          )
        }
        if (s.kind === 'mention') return <mark key={i} class="mention">{s.text}</mark>
        return s.text
      })}
    </p>
  )
}
