// An account made through an upstream provider has no password (an empty hash). Checking a
// password against it must be a refusal that costs what a wrong password costs, or the answer's
// speed would tell such accounts apart (no enumeration through timing).
import test from 'ava';
import { PasswordHasher } from '../../../src/domain/accounts/password-hasher.js';

test('a hash that is not argon2 refuses every password, after spending one real verification', async (t) => {
  const hasher = new PasswordHasher();
  let verified = 0;
  const original = hasher.verifyDummy.bind(hasher);
  hasher.verifyDummy = async (password: string) => {
    verified += 1;
    await original(password);
  };
  t.deepEqual(await hasher.verify('', 'any password at all'), { ok: false, needsRehash: false });
  t.deepEqual(await hasher.verify('not-a-hash', ''), { ok: false, needsRehash: false });
  t.is(verified, 2, 'each refusal spent a dummy verification');

  const real = await hasher.hash('correct horse battery');
  t.true((await hasher.verify(real, 'correct horse battery')).ok);
  t.is(verified, 2, 'a real hash is verified itself, not through the dummy');
});
