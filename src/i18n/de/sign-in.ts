import type { signIn as en } from '../en/sign-in.js';

export const signIn: typeof en = {};
