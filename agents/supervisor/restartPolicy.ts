// When a supervised agent crashes: restart it after a jittered backoff, unless it crashed
// too often recently, in which case give up and say so. Pure.

import { backoffDelay } from '../../shared/backoff.ts'

export interface RestartPolicy {
  /** Crashes allowed within windowMs before giving up. */
  maxCrashes: number
  windowMs: number
  baseMs: number
  capMs: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxCrashes: 5, windowMs: 60_000, baseMs: 500, capMs: 10_000 }

export type RestartDecision = { restart: true; delayMs: number } | { restart: false; reason: string }

export function decideRestart(crashTimes: number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY, random = Math.random): RestartDecision {
  const recent = crashTimes.filter((t) => now - t <= policy.windowMs)
  if (recent.length >= policy.maxCrashes) {
    return { restart: false, reason: `crashed ${recent.length} times within ${Math.round(policy.windowMs / 1000)} s; gave up` }
  }
  return { restart: true, delayMs: backoffDelay(recent.length - 1, { baseMs: policy.baseMs, capMs: policy.capMs }, random) }
}
