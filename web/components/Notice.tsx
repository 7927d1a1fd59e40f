// A banner line: information (polite) or a warning that interrupts (assertive).
import type { ComponentChildren } from 'preact'

interface NoticeProps {
  kind: 'info' | 'warning' | 'error'
  testid: string
  children: ComponentChildren
}

export function Notice({ kind, testid, children }: NoticeProps) {
  return (
    <div
      class={`notice notice--${kind}`}
      role={kind === 'info' ? 'status' : 'alert'}
      data-testid={testid}
    >
      {children}
    </div>
  )
}
