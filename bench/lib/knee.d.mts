// Types of knee.mjs, for test/unit/bench-knee.test.ts (the bench itself runs as plain JavaScript).
export declare const KNEE_P50_FACTOR: number
export declare const KNEE_P50_MIN_MS: number
export declare const KNEE_MIN_DELIVERED: number
export declare const GEN_BOUND_ELU: number
export declare const GEN_BOUND_CORES: number
export declare function isGenBound(w: { genCores: number; genElu: number }): boolean
export interface KneeStep {
  senders: number
  deliveriesPerSec: number
  p50: number
  delivered: number
  genBound: boolean
  superseded?: boolean
}
export type KneeStatus = 'exploded' | 'not-reached' | 'gen-bound' | 'no-light'
export interface Knee {
  status: KneeStatus
  deliveriesPerSec: number
  kneeSenders?: number
  explodedAt?: number
  limitP50: number
  verdicts: string[]
}
export declare function lightReference(runs: Array<{ p50: number; delivered: number }>): number
export declare function findKnee(lightP50: number, steps: KneeStep[]): Knee
export declare function judgeKneeTarget(parley?: Partial<Knee>, floor?: Partial<Knee>, socketio?: Partial<Knee>): 'PASS' | 'FAIL' | 'not judged' | 'n/a'
