// TOTP per RFC 6238 with otplib: SHA-1, 6 digits, 30 s steps, ±1 step of tolerance. Replay is
// refused by passing the last accepted step: only later steps count (docs/decisions.md, People).
import { generateSecret, generateURI, verify } from 'otplib';

const STEP_SECONDS = 30;
const CODE = /^\d{6}$/;

/** The associated data that binds a sealed TOTP secret (current or pending) to its user (sealing.ts). */
export const totpAssociatedData = (userId: string): string => `totp:${userId}`;

export const newTotpSecret = (): string => generateSecret({ length: 20 });

export const otpauthUrl = (issuer: string, email: string, secret: string): string => generateURI({ issuer, label: email, secret });

export const looksLikeTotp = (code: string): boolean => CODE.test(code);

/** The time step the code belongs to, when it is valid now and later than `lastStep`. */
export async function acceptTotp(secret: string, code: string, lastStep: number | null, nowMs: number): Promise<number | undefined> {
  if (!looksLikeTotp(code)) return undefined;
  const epoch = Math.floor(nowMs / 1000);
  const currentStep = Math.floor(epoch / STEP_SECONDS);
  // otplib refuses an afterTimeStep beyond its window; a step that far ahead means nothing can match.
  if (lastStep !== null && lastStep >= currentStep + 1) return undefined;
  const result = await verify({
    secret,
    token: code,
    epoch,
    epochTolerance: STEP_SECONDS,
    ...(lastStep === null ? {} : { afterTimeStep: lastStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}
