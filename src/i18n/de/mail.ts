import type { mail as en } from '../en/mail.js';

export const mail: typeof en = {};
