// Counting open connections per client address, and the total cap that keeps clear of the
// open-file limit. Plain values only: the connection-limits plugin wires these to sockets.
import { readFileSync } from 'node:fs'

export interface AddressCounter {
  /** Counts one more for `key` unless it already holds `max`; false when refused. */
  tryAdd(key: string, max: number): boolean
  /** Counts one less for `key` (one that tryAdd accepted). */
  remove(key: string): void
  count(key: string): number
  /** Number of keys holding at least one. */
  readonly size: number
}

/** Open things per key; a key whose count drops to 0 is forgotten, so memory follows live keys. */
export function createAddressCounter(): AddressCounter {
  const counts = new Map<string, number>()
  return {
    tryAdd(key, max) {
      const n = counts.get(key) ?? 0
      if (n >= max) return false
      counts.set(key, n + 1)
      return true
    },
    remove(key) {
      const n = counts.get(key) ?? 0
      if (n <= 1) counts.delete(key)
      else counts.set(key, n - 1)
    },
    count(key) {
      return counts.get(key) ?? 0
    },
    get size() {
      return counts.size
    }
  }
}

/** Used when the soft open-file limit cannot be read (not Linux) or is unlimited. */
export const FALLBACK_OPEN_FILES = 1024

/** The soft "Max open files" from the text of /proc/self/limits, or undefined. */
export function parseOpenFileLimit(limitsText: string): number | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(limitsText)
  return m && m[1] !== 'unlimited' ? Number(m[1]) : undefined
}

/** This process's soft open-file limit (Linux), else FALLBACK_OPEN_FILES. */
export function readOpenFileLimit(file = '/proc/self/limits'): number {
  try {
    return parseOpenFileLimit(readFileSync(file, 'utf8')) ?? FALLBACK_OPEN_FILES
  } catch {
    return FALLBACK_OPEN_FILES
  }
}

/**
 * Descriptors kept free for everything that is not a client connection (store and key files,
 * static files being sent, logs, the event loop's own): a tenth of the limit, at least 64.
 */
export const fdReserve = (openFiles: number) => Math.max(64, Math.ceil(openFiles / 10))

/**
 * The total connection cap: `configured` when set (it must stay below the limit minus the
 * reserve, or start-up stops), else the open-file limit minus the reserve.
 */
export function totalConnectionCap(configured: number, openFiles: number): number {
  const ceiling = openFiles - fdReserve(openFiles)
  if (ceiling < 1) throw new Error(`the open-file limit (${openFiles}) is too low to serve anyone: raise \`ulimit -n\``)
  if (configured === 0) return ceiling
  if (configured > ceiling) {
    throw new Error(
      `MAX_CONNECTIONS (${configured}) must stay at or below ${ceiling}: the open-file limit is ${openFiles} and ` +
        `${fdReserve(openFiles)} are kept for files and logs (raise \`ulimit -n\` or lower MAX_CONNECTIONS)`
    )
  }
  return configured
}

/**
 * The key an address is counted under: IPv4 (also when IPv4-mapped) as is; IPv6 by its /64,
 * since one subscriber usually holds a whole /64 and could otherwise spread over it.
 */
export function addressKey(ip: string): string {
  if (!ip.includes(':')) return ip
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return mapped[1]!
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::')
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t]
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}
