import { createHash, timingSafeEqual } from 'node:crypto';
import {
  refused,
  type CredentialVerifier,
  type PresentedCredential,
  type Verification,
} from '../../application/ports/credential-verifier.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** `SAGAFLOW_ADMIN_API_KEY`: an admin of every namespace, for bootstrapping (docs/security.md#authentication-and-roles). */
export class BootstrapAdminKey implements CredentialVerifier {
  private readonly digest: Buffer;

  constructor(key: string) {
    this.digest = sha256(key);
  }

  verify(credential: PresentedCredential): Promise<Verification> {
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    const matches = credential.kind === 'api-key' && timingSafeEqual(sha256(credential.key), this.digest);
    return Promise.resolve(
      matches
        ? { ok: true, principal: { id: 'bootstrap-admin', roles: ['admin'], namespaces: '*' } }
        : refused('unknown API key'),
    );
  }
}
