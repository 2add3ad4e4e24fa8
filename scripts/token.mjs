#!/usr/bin/env node
// Mints a development JWT the api accepts (docs/security.md#development-tokens):
//   SAGAFLOW_JWT_SECRET=… npm run token -- --role operator --namespace team-a
// It signs with the same key variables the api verifies with: SAGAFLOW_JWT_SECRET (HS256), or
// --private-key <PEM file> for an RS256/ES256 SAGAFLOW_JWT_PUBLIC_KEY. Issuer and audience come
// from SAGAFLOW_JWT_ISSUER / SAGAFLOW_JWT_AUDIENCE when set, so the token matches the server.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { importPKCS8, SignJWT } from 'jose';

const ROLES = ['worker', 'viewer', 'operator', 'admin'];
const NAMESPACE = /^(\*|[a-z0-9][a-z0-9-]{0,62})$/;
const USAGE = `usage: npm run token -- [--role R]... [--namespace N]... [--sub ID] [--ttl 1h] [--private-key FILE] [--alg RS256|ES256]
  --role       ${ROLES.join(' | ')} (repeatable; default viewer)
  --namespace  a namespace name or * for all (repeatable; default default)
  --sub        the principal (default dev)
  --ttl        lifetime: <n>s, <n>m, <n>h or <n>d (default 1h)
example: SAGAFLOW_JWT_SECRET=dev-secret npm run token -- --role operator --namespace team-a`;

function fail(message) {
  process.stderr.write(`token: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function seconds(ttl) {
  const match = /^(\d+)([smhd])$/.exec(ttl);
  if (!match) fail(`--ttl "${ttl}" is not <n>s, <n>m, <n>h or <n>d`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2]];
}

let args;
try {
  args = parseArgs({
    options: {
      role: { type: 'string', multiple: true, default: ['viewer'] },
      namespace: { type: 'string', multiple: true, default: ['default'] },
      sub: { type: 'string', default: 'dev' },
      ttl: { type: 'string', default: '1h' },
      'private-key': { type: 'string' },
      alg: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  fail(error.message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
for (const role of args.role)
  if (!ROLES.includes(role)) fail(`--role "${role}" is not one of ${ROLES.join(', ')}`);
for (const ns of args.namespace) if (!NAMESPACE.test(ns)) fail(`--namespace "${ns}" is not a namespace name`);

let key;
let alg;
if (args['private-key']) {
  alg = args.alg ?? 'RS256';
  key = await importPKCS8(readFileSync(args['private-key'], 'utf8'), alg);
} else if (process.env.SAGAFLOW_JWT_SECRET) {
  alg = 'HS256';
  key = new TextEncoder().encode(process.env.SAGAFLOW_JWT_SECRET);
} else {
  fail('set SAGAFLOW_JWT_SECRET (the api’s HS256 secret) or pass --private-key');
}

const now = Math.floor(Date.now() / 1000);
let jwt = new SignJWT({ roles: args.role, namespaces: args.namespace })
  .setProtectedHeader({ alg })
  .setSubject(args.sub)
  .setIssuedAt(now)
  .setExpirationTime(now + seconds(args.ttl));
if (process.env.SAGAFLOW_JWT_ISSUER) jwt = jwt.setIssuer(process.env.SAGAFLOW_JWT_ISSUER);
if (process.env.SAGAFLOW_JWT_AUDIENCE) jwt = jwt.setAudience(process.env.SAGAFLOW_JWT_AUDIENCE);
process.stdout.write(`${await jwt.sign(key)}\n`);
