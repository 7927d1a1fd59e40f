// A Preact context that must be provided: its hook throws a clear error where no provider is.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'

export function requiredContext<T>(hook: string) {
  const Context = createContext<T | null>(null)
  function use(): T {
    const value = useContext(Context)
    if (value === null) throw new Error(`${hook}() needs its context provider`)
    return value
  }
  return [Context, use] as const
}
