import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliFailure, UsageError } from './failures.js';

/**
 * Files named on the command line: a definition (`definitions register|validate <file>`) in JSON
 * or YAML, and `--input <json|@file>`. A file that cannot be read or parsed is named with the
 * reason, before anything is sent.
 */

/** A JSON or YAML document (`.yaml`/`.yml` as YAML, anything else as JSON); `-` is stdin. */
export async function readDocument(
  cwd: string,
  file: string,
  stdin: () => Promise<string> = readStdin,
): Promise<unknown> {
  const text = file === '-' ? await stdin() : await readText(cwd, file);
  const yaml = /\.ya?ml$/i.test(file);
  try {
    return yaml ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (error) {
    throw new CliFailure(`${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
}

/** `--input`: inline JSON (`'{"order": 1}'`) or `@path` to a JSON file. */
export async function readInput(cwd: string, value: string): Promise<unknown> {
  if (value.startsWith('@')) return readDocument(cwd, value.slice(1));
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new UsageError(`--input is not valid JSON (${(error as Error).message}); pass JSON or @file`);
  }
}

async function readText(cwd: string, file: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliFailure(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
