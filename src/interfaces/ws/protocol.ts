import type { FeedItem } from '../../application/ports/run-event-feed.js';
import type { RunEventView } from '../../application/queries/run-view.js';
import { afterSeq } from '../../application/contracts/requests/fields.js';
import type { ValidationIssue } from '../../domain/shared/domain-error.js';
import type { RunStatus } from '../../domain/run/run-status.js';
import { DEFAULT_NAMESPACE, isNamespaceName } from '../../application/actor.js';
import { findJsonHazard, hazardText } from '../../domain/shared/json-hazards.js';

/**
 * The `/ws` protocol of docs/contract.md#live-progress: JSON text frames. Parsing checks shape only; whether a run
 * exists is the feed's answer.
 */

/** What a subscription is for: one run, or every run of a definition name. */
export type Target = { runId: string } | { definition: string };

/** Every client frame acts in one namespace: its `namespace` field, `default` when absent. */
export type ClientFrame =
  | { type: 'subscribe'; namespace: string; target: Target; after: number }
  | { type: 'unsubscribe'; namespace: string; target: Target };

export type ServerFrame =
  | ({ type: 'subscribed' } & Target)
  | ({ type: 'unsubscribed' } & Target)
  | { type: 'event'; runId: string; event: RunEventView }
  | { type: 'end'; runId: string; seq: number; status: RunStatus }
  | ({ type: 'error'; message: string } & Partial<Target>);

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; message: string };

/** Longest definition name docs/contract.md#workflow-definitions allows; a longer one can name no run. */
const MAX_NAME_LENGTH = 100;

export function parseClientFrame(data: Buffer, isBinary: boolean): ParsedFrame {
  if (isBinary) return fail('frames must be JSON text, not binary');
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return fail('malformed JSON');
  }
  // What REST and GraphQL refuse is refused here too (docs/security.md#limits-and-hostile-input).
  const hazard = findJsonHazard(value, { root: '$' });
  if (hazard) return fail(`${hazard.path} ${hazardText(hazard)}`);
  if (!isRecord(value) || typeof value.type !== 'string') {
    return fail('a frame must be a JSON object with a string "type"');
  }
  if (value.type !== 'subscribe' && value.type !== 'unsubscribe') {
    return fail(`unknown frame type ${JSON.stringify(value.type).slice(0, 80)}`);
  }
  const namespace = value.namespace === undefined ? DEFAULT_NAMESPACE : value.namespace;
  if (!isNamespaceName(namespace)) return fail('"namespace" must match [a-z0-9][a-z0-9-]{0,62}');
  const target = parseTarget(value);
  if (typeof target === 'string') return fail(target);
  if (value.type === 'unsubscribe') return { ok: true, frame: { type: 'unsubscribe', namespace, target } };
  const after = parseAfter(value.after, target);
  if (typeof after === 'string') return fail(after);
  return { ok: true, frame: { type: 'subscribe', namespace, target, after } };
}

function parseTarget(frame: Record<string, unknown>): Target | string {
  const { runId, definition } = frame;
  if ((runId === undefined) === (definition === undefined)) {
    return `"${String(frame.type)}" needs exactly one of "runId" or "definition"`;
  }
  if (runId !== undefined) {
    return typeof runId === 'string' && runId.length > 0 ? { runId } : '"runId" must be a non-empty string';
  }
  return typeof definition === 'string' && definition.length > 0 && definition.length <= MAX_NAME_LENGTH
    ? { definition }
    : `"definition" must be a definition name (a string of 1–${MAX_NAME_LENGTH} characters)`;
}

function parseAfter(after: unknown, target: Target): number | string {
  if ('definition' in target) {
    return after === undefined ? 0 : '"after" applies to run subscriptions only (definitions are live only)';
  }
  // The rule of REST's and GraphQL's `after` (src/application/contracts/requests), in a frame's words.
  const issues: ValidationIssue[] = [];
  const seq = afterSeq(after, 'after', issues);
  return issues.length === 0 ? seq : issues.map((issue) => `"${issue.path}" ${issue.message}`).join('; ');
}

const fail = (message: string): ParsedFrame => ({ ok: false, message });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stable key of a target of a namespace within one connection. */
export function targetKey(namespace: string, target: Target): string {
  const what = 'runId' in target ? `run:${target.runId}` : `definition:${target.definition}`;
  return `${namespace}/${what}`;
}

export function describeTarget(target: Target): string {
  return 'runId' in target ? `run ${target.runId}` : `definition ${target.definition}`;
}

/**
 * Serialises `event` frames once per feed item, however many sockets send it: the feed hands
 * the same item object to every subscriber of a run or definition, so with a thousand
 * watchers the JSON is built once, not a thousand times.
 */
export function createEventEncoder(): (item: FeedItem) => Buffer {
  const encoded = new WeakMap<FeedItem, Buffer>();
  return (item) => {
    let bytes = encoded.get(item);
    if (bytes === undefined) {
      const frame: ServerFrame = { type: 'event', runId: item.runId, event: item.event };
      // UTF-8 bytes, so that `ws` does not encode the string again for every socket.
      bytes = Buffer.from(JSON.stringify(frame));
      encoded.set(item, bytes);
    }
    return bytes;
  };
}
