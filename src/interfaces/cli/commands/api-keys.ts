import type { Command } from 'commander';
import type { Static } from 'typebox';
import type { ApiKeyList, CreatedApiKey } from '../../../application/contracts/schemas/api-keys.js';
import { ACTOR_ROLES } from '../../../application/actor.js';
import { collect, examples, segment, type CommandContext, type CommandKit } from '../command-kit.js';

/** `sagaflow api-keys create|list|revoke` (docs/cli.md#api-keys, docs/security.md#api-keys). */
export function apiKeysCommand(program: Command, kit: CommandKit): void {
  const keys = program
    .command('api-keys')
    .description('create, list and revoke API keys (role admin)')
    .addHelpText(
      'after',
      examples('sagaflow api-keys create --name billing --role operator --namespace billing'),
    );

  kit
    .api(
      keys
        .command('create')
        .description('create a key; its secret is printed this once and never again')
        .requiredOption('--name <name>', 'what the key is for')
        .requiredOption(
          '--role <role...>',
          `its roles (${ACTOR_ROLES.join(', ')}); repeat or comma-separate`,
          collect,
        )
        .option(
          '--namespace <name...>',
          'namespaces it may act in ("*": every one); default: the namespace it is created in (SAGAFLOW_NAMESPACE)',
          collect,
        )
        .option('--expires-at <time>', 'an ISO-8601 date-time after which it is refused')
        .option('--rate-limit <n/window>', 'its own request limit, e.g. 100/1m'),
      create,
      // `--namespace` here names the namespaces granted; the key is created in SAGAFLOW_NAMESPACE.
      { namespaceOption: false },
    )
    .addHelpText(
      'after',
      examples(
        'sagaflow api-keys create --name billing-service --role operator --namespace billing',
        'sagaflow api-keys create --name ci --role viewer --role operator --namespace billing,shipping --expires-at 2027-01-01T00:00:00Z --json',
      ),
    );

  kit
    .api(keys.command('list').description('the keys of this namespace, without their secrets'), list)
    .addHelpText('after', examples('sagaflow api-keys list'));

  kit
    .api(
      keys
        .command('revoke')
        .description('revoke a key: refused from the next request on')
        .argument('<id>', 'API key id'),
      revoke,
    )
    .addHelpText('after', examples('sagaflow api-keys revoke 3c9e…'));
}

interface CreateOptions {
  name: string;
  role: string[];
  namespace?: string[];
  expiresAt?: string;
  rateLimit?: string;
}

async function create({ client, out }: CommandContext, options: CreateOptions): Promise<void> {
  const { body } = await client.post<Static<typeof CreatedApiKey>>('/v1/api-keys', {
    body: {
      name: options.name,
      roles: options.role,
      namespaces: options.namespace,
      expiresAt: options.expiresAt,
      rateLimit: options.rateLimit,
    },
  });
  if (out.json) return out.document(body);
  out.fields([
    ['id', body.id],
    ['name', body.name],
    ['roles', body.roles.join(', ')],
    ['namespaces', body.namespaces.join(', ')],
    ['expires', body.expiresAt ?? 'never'],
    ['key', body.key, 'bold'],
  ]);
  out.line(out.paint('the key is shown this once: keep it now', 'yellow'));
}

async function list({ client, out }: CommandContext): Promise<void> {
  const { body } = await client.get<Static<typeof ApiKeyList>>('/v1/api-keys');
  if (out.json) return out.document(body);
  out.table(
    body.items,
    [
      { header: 'ID', value: (key) => key.id },
      { header: 'NAME', value: (key) => key.name },
      { header: 'ROLES', value: (key) => key.roles.join(',') },
      { header: 'NAMESPACES', value: (key) => key.namespaces.join(',') },
      { header: 'EXPIRES', value: (key) => key.expiresAt ?? 'never' },
      { header: 'LAST USED', value: (key) => key.lastUsedAt },
    ],
    'no API keys',
  );
}

async function revoke({ client, out }: CommandContext, id: string): Promise<void> {
  const { body } = await client.delete(`/v1/api-keys/${segment(id)}`);
  if (out.json) return out.document(body);
  out.line(`revoked API key ${id}`);
}
