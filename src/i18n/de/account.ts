import type { account as en } from '../en/account.js';

export const account: typeof en = {};
