// Stored records (users.json, sessions.json, history log lines) are checked against TypeBox
// schemas when read back, instead of a hand-written validator per store.
import Type, { type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'

/** A whole number a JSON file holds exactly (a count, a time in ms): at least `minimum`. */
export const SafeInteger = (minimum: number = Number.MIN_SAFE_INTEGER) => Type.Integer({ minimum, maximum: Number.MAX_SAFE_INTEGER })

/** A compiled check of one stored shape; fields the schema does not name are allowed, as a newer version may add some. */
export function recordCheck<S extends TSchema>(schema: S): (value: unknown) => value is Static<S> {
  const validator = Compile(schema)
  return (value: unknown): value is Static<S> => validator.Check(value)
}
