// Confusable skeletons (Unicode TS #39) that tell look-alike usernames apart. Server-side only:
// it carries the whole confusables table, which the page must not bundle.
import { CONFUSABLES_DATA } from './confusables-data.js'
import { foldUsername, RESERVED_USERNAMES } from './credentials.js'

// Parsed once at load (~6,300 entries): the first look-up must not stall a request.
const PROTOTYPES = parse(CONFUSABLES_DATA)

function parse(data: string): Map<number, string> {
  const map = new Map<number, string>()
  for (const entry of data.split(';')) {
    if (entry === '') continue
    const [source, target] = entry.split('>') as [string, string]
    map.set(parseInt(source, 16), String.fromCodePoint(...target.split(' ').map((hex) => parseInt(hex, 16))))
  }
  return map
}

// A dot above on a soft-dotted i or j is drawn as (or over) its own dot: `i̇` looks like `i`.
// Beyond UTS #39, whose table keeps it; this is what makes `alİce` (İ folds to i + U+0307) `alice`.
const SOFT_DOTTED_DOT = /([ij])\u0307/gu

/** UTS #39 skeleton: NFD, each code point replaced by its prototype, NFD again (plus the soft-dot rule). */
export function skeleton(text: string): string {
  let out = ''
  for (const c of text.normalize('NFD')) out += PROTOTYPES.get(c.codePointAt(0)!) ?? c
  return out.normalize('NFD').replace(SOFT_DOTTED_DOT, '$1')
}

/**
 * The skeletons a name is compared by: of its NFKC form as shown (so `aIice`, capital I, meets `alice`)
 * and of its case-folded form (so `ALİCE` meets `alice`). Two names clash when these sets meet.
 */
export function nameSkeletons(name: string): string[] {
  const shown = skeleton(name.normalize('NFKC'))
  const folded = skeleton(foldUsername(name))
  return shown === folded ? [shown] : [shown, folded]
}

let reserved: Set<string> | undefined

/** True when the name is a reserved name or looks like one (`ADMIN`, `аdmin`, `adrnin`). */
export function isReservedLookalike(name: string): boolean {
  reserved ??= new Set(RESERVED_USERNAMES.flatMap(nameSkeletons))
  return nameSkeletons(name).some((s) => reserved!.has(s))
}
