// The English catalogue: the reference every other language is checked against (../catalogue.ts).
import { account } from './account.js';
import { common } from './common.js';
import { device } from './device.js';
import { errors } from './errors.js';
import { mail } from './mail.js';
import { passkeys } from './passkeys.js';
import { signIn } from './sign-in.js';
import { upstream } from './upstream.js';

export const en = { common, errors, signIn, account, mail, device, passkeys, upstream };
