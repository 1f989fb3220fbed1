// Der deutsche Katalog: typed against the English one, so nothing can be missing (../catalogue.ts).
import type { en } from '../en/index.js';
import { account } from './account.js';
import { common } from './common.js';
import { device } from './device.js';
import { errors } from './errors.js';
import { mail } from './mail.js';
import { passkeys } from './passkeys.js';
import { signIn } from './sign-in.js';
import { upstream } from './upstream.js';

export const de: typeof en = { common, errors, signIn, account, mail, device, passkeys, upstream };
