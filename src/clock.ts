// Time comes from an injected clock so that expiry logic can be tested without sleeping.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const toSeconds = (ms: number): number => Math.floor(ms / 1000);
