// A WebAuthn authenticator in software for the tests that a browser's cannot play: answers for
// another origin or RP id, a sign count that goes backwards, an authenticator already registered.
// It writes what WebAuthn §6.1 (authenticator data), §6.5.4 ("none" attestation) and §5.8.1
// (client data) define; the CBOR and COSE encoding is @simplewebauthn/server's own, and the
// signature Node's. It can also take over a credential of Chromium's virtual authenticator
// (CDP WebAuthn.getCredentials hands out its PKCS#8 private key).
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

const b64u = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

export interface Ceremony {
  /** The options' challenge, base64url, as the server sent it. */
  challenge: string;
  origin: string;
  rpId: string;
}

export class SoftAuthenticator {
  counter: number;

  constructor(
    readonly credentialId: Buffer,
    private readonly key: KeyObject,
    counter = 0,
  ) {
    this.counter = counter;
  }

  static create(): SoftAuthenticator {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return new SoftAuthenticator(randomBytes(32), privateKey);
  }

  /** A credential of Chromium's virtual authenticator (CDP `WebAuthn.Credential`). */
  static fromCdp(credential: { credentialId: string; privateKey: string; signCount: number }): SoftAuthenticator {
    const key = createPrivateKey({ key: Buffer.from(credential.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    return new SoftAuthenticator(Buffer.from(credential.credentialId, 'base64'), key, credential.signCount);
  }

  get id(): string {
    return b64u(this.credentialId);
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', ceremony: Ceremony): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge: ceremony.challenge, origin: ceremony.origin, crossOrigin: false }), 'utf8');
  }

  /** §6.1: rpIdHash, flags (UP, UV, and AT with attested data), the counter, big-endian. */
  private authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  registration(ceremony: Ceremony): RegistrationResponseJSON {
    const jwk = this.key.export({ format: 'jwk' }) as { x: string; y: string };
    // RFC 9053 §7.1.1 / WebAuthn §6.5.1.1: an EC2 P-256 key for ES256.
    const cose = isoCBOR.encode(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]));
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, Buffer.from(cose)]);
    const authData = this.authData(ceremony.rpId, 0x01 | 0x04 | 0x40, this.counter, attested);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]) as never);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64u(this.clientData('webauthn.create', ceremony)), attestationObject: b64u(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
    };
  }

  /** An assertion; the counter goes up by one unless `counter` says what to send. */
  assertion(ceremony: Ceremony, options: { userHandle?: string; counter?: number; userVerified?: boolean } = {}): AuthenticationResponseJSON {
    const counter = options.counter ?? (this.counter += 1);
    const authData = this.authData(ceremony.rpId, 0x01 | (options.userVerified === false ? 0 : 0x04), counter);
    const clientData = this.clientData('webauthn.get', ceremony);
    // ES256 signs a SHA-256 digest (DER); Ed25519, which Chromium's authenticator prefers when offered, signs the bytes.
    const signature = sign(this.key.asymmetricKeyType === 'ed25519' ? null : 'sha256', Buffer.concat([authData, sha256(clientData)]), this.key);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64u(clientData), authenticatorData: b64u(authData), signature: b64u(signature), ...(options.userHandle ? { userHandle: options.userHandle } : {}) },
      clientExtensionResults: {},
    };
  }
}
