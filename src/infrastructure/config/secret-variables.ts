import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigEnv, type ConfigVariable } from './config-variables.js';

/**
 * A secret from its variable or from the file `<variable>_FILE` names — the convention of
 * Docker and Kubernetes secrets, so a secret need not sit in the process environment
 * (docs/security.md#secrets-and-dependencies). Both set is an error, as is a file that cannot
 * be read or is empty; one trailing newline (what editors and `echo` leave) is dropped.
 */
export function secretValue(
  env: ConfigEnv,
  variable: ConfigVariable,
  fileVariable: ConfigVariable,
): string | null {
  const direct = env[variable];
  const path = env[fileVariable]?.trim();
  const hasDirect = direct !== undefined && direct.trim() !== '';
  if (path) {
    if (hasDirect) throw new ConfigError(variable, `set ${variable} or ${fileVariable}, not both`);
    let contents: string;
    try {
      contents = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new ConfigError(fileVariable, `cannot read "${path}" (${code})`);
    }
    const value = contents.replace(/\r?\n$/, '');
    if (value.trim() === '') throw new ConfigError(fileVariable, `"${path}" is empty`);
    return value;
  }
  return hasDirect ? direct : null;
}
