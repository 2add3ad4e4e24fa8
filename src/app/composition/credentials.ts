import {
  refused,
  type CredentialVerifier,
  type PresentedCredential,
  type Verification,
} from '../../application/ports/credential-verifier.js';
import { BootstrapAdminKey } from '../../infrastructure/auth/bootstrap-admin-key.js';
import { JoseJwtVerifier } from '../../infrastructure/auth/jose-jwt-verifier.js';
import type { AppConfig } from '../../infrastructure/config/app-config.js';

/**
 * The installation's credential verifier: Bearer tokens go to the JWT adapter, API keys to the
 * bootstrap key and then to the stored keys. A kind nothing is configured for is refused.
 */
export class CredentialVerifiers implements CredentialVerifier {
  constructor(
    private readonly jwt: CredentialVerifier | null,
    private readonly apiKeys: readonly CredentialVerifier[],
  ) {}

  async verify(credential: PresentedCredential): Promise<Verification> {
    if (credential.kind === 'bearer') {
      return this.jwt ? this.jwt.verify(credential) : refused('no JWT key is configured');
    }
    let last: Verification = refused('unknown API key');
    for (const verifier of this.apiKeys) {
      last = await verifier.verify(credential);
      if (last.ok) return last;
    }
    return last;
  }
}

export async function buildCredentialVerifier(
  config: AppConfig,
  storedKeys: CredentialVerifier | null = null,
): Promise<CredentialVerifiers> {
  const apiKeys: CredentialVerifier[] = [];
  if (config.adminApiKey !== null) apiKeys.push(new BootstrapAdminKey(config.adminApiKey));
  if (storedKeys) apiKeys.push(storedKeys);
  return new CredentialVerifiers(await JoseJwtVerifier.fromConfig(config.jwt), apiKeys);
}
