// LW203: password hashing is slow on purpose (~100-300 ms of CPU per call), so on the loop it is a stall.
import type { RuleFamily } from './table';

export const cpuCrypto: RuleFamily = {
  code: 'LW203',
  name: 'cpu-crypto',
  title: 'Password hashing or key derivation on the event loop',
  family: 'cpu',
  alternative: 'await asyncio.to_thread(...) (bcrypt and hashlib release the GIL) or a ProcessPoolExecutor',
  entries: [
    {
      kind: 'crypto',
      calls: [
        'bcrypt.{hashpw,checkpw,kdf}',
        'passlib.context.CryptContext().{hash,verify,verify_and_update,encrypt}',
        'passlib.hash.*.{hash,verify,encrypt}',
        'pwdlib.PasswordHash().{hash,verify,verify_and_update}',
        'hashlib.{pbkdf2_hmac,scrypt}',
        'argon2.PasswordHasher().{hash,verify}',
        'cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key',
      ],
    },
  ],
};
