import { ApiProblem, ApiUnreachable, type ApiClient } from '../api-client.js';
import { hasDependencies, withDependencies } from './run-graph.js';
import {
  isTerminalRunStatus,
  watchExitCode,
  type DefinitionJson,
  type EventJson,
  type RunJson,
} from './run-json.js';
import { DEFAULT_RECONNECT, EventCursor, reconnectDelay, type ReconnectPolicy } from './resume.js';
import { followOnce } from './run-socket.js';
import { SnapshotRefresher } from './snapshot-refresher.js';
import { createDisplay, type WatchDisplay, type WatchOutput } from './watch-display.js';

export interface WatchOptions {
  client: ApiClient;
  runId: string;
  /** A terminal gets the frame redrawn in place; any other stream a line per change and the final frame. */
  out: WatchOutput;
  /** ANSI colours on a terminal (never elsewhere). */
  color: boolean;
  /** Print nothing while watching, then the final run as `GET /v1/runs/{id}` returns it. */
  json: boolean;
  /** Aborting stops the watch: `watchRun` rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Each event of the run exactly once, in `seq` order: the history first, then live, across reconnects. */
  onEvent?: (event: EventJson) => void;
  /** Each subscription as it is sent, with its cursor: `0` first, the last `seq` seen after a reconnect. */
  onSubscribe?: (after: number) => void;
  /** Reconnect tuning (defaults: {@link DEFAULT_RECONNECT}). */
  reconnect?: Partial<ReconnectPolicy>;
}

/**
 * `sagaflow runs watch <id>`: draws the run live until it is terminal; resolves the exit code: 0
 * `COMPLETED`, 3 another terminal status. Throws `ApiProblem` (the run is unknown, the credential
 * refused) and `ApiUnreachable` (at the start, or when the API stays unreachable longer than
 * `reconnect.giveUpAfterMs`).
 *
 * It reads the run, then follows `/ws` from `after: 0` (the history, then live), counting the
 * events' `seq`; a dropped connection is reopened with capped backoff and resubscribed from the
 * last `seq` seen, so no event is shown twice or missed (docs/ws-protocol.md#resuming-with-a-cursor).
 * The `end` frame finishes it, with one last read of the run for the final frame.
 */
export async function watchRun(options: WatchOptions): Promise<number> {
  const { client, runId, signal } = options;
  signal?.throwIfAborted();
  const policy: ReconnectPolicy = { ...DEFAULT_RECONNECT, ...options.reconnect };
  const path = `/v1/runs/${encodeURIComponent(runId)}`;
  const load = async () => (await client.get<RunJson>(path)).body;

  const first = await load();
  const definition = hasDependencies(first) ? null : await loadDefinition(client, first);
  const view = (run: RunJson) => withDependencies(run, definition);
  const display = createDisplay({
    out: options.out,
    color: options.color && options.out.isTTY === true,
    json: options.json,
    initial: view(first),
  });
  const refresher = display.live
    ? new SnapshotRefresher(
        load,
        (run) => display.snapshot(view(run)),
        (error) => display.notice(`could not read the run: ${describe(error)}`),
      )
    : null;
  try {
    const ended = await follow(options, policy, display, refresher);
    refresher?.stop();
    await refresher?.idle();
    const final = await loadFinal(load, policy, signal);
    await display.finish(view(final), final);
    return watchExitCode(ended.status);
  } finally {
    refresher?.stop();
    display.close();
  }
}

/** The reconnect loop: one {@link followOnce} per connection until the run ends. */
async function follow(
  options: WatchOptions,
  policy: ReconnectPolicy,
  display: WatchDisplay,
  refresher: SnapshotRefresher<RunJson> | null,
): Promise<{ seq: number; status: string }> {
  const { client, runId, signal } = options;
  const cursor = new EventCursor();
  let tries = 0;
  let failingSince: number | null = null;
  for (;;) {
    options.onSubscribe?.(cursor.last);
    const outcome = await followOnce({
      url: client.wsUrl('/ws'),
      headers: client.authHeaders(),
      runId,
      namespace: client.target.namespace,
      after: cursor.last,
      idleTimeoutMs: policy.idleTimeoutMs,
      signal,
      onSubscribed: () => display.notice(null),
      onEvent: (event) => {
        const verdict = cursor.accept(event.seq);
        if (verdict === 'new') {
          display.event(event);
          options.onEvent?.(event);
          refresher?.request();
        }
        return verdict;
      },
    });
    switch (outcome.kind) {
      case 'ended':
        return outcome;
      case 'refused':
      case 'failed':
        throw outcome.error;
      case 'aborted':
        throw abortReason(signal);
      case 'dropped': {
        // A connection the server accepted was healthy: the next one starts the backoff afresh.
        if (outcome.subscribed) {
          tries = 0;
          failingSince = null;
        }
        const now = Date.now();
        failingSince ??= now;
        if (now - failingSince >= policy.giveUpAfterMs) {
          throw new ApiUnreachable(client.url('/').origin, new Error(outcome.reason));
        }
        display.notice(`connection lost (${outcome.reason}); reconnecting…`);
        await delay(reconnectDelay(tries, policy), signal);
        tries += 1;
      }
    }
  }
}

/**
 * The run after its `end` frame. Reads are read-your-writes (docs/read-side.md), so the first one
 * shows the terminal status; a few more tries cover an API that restarts at that moment.
 */
async function loadFinal(
  load: () => Promise<RunJson>,
  policy: ReconnectPolicy,
  signal: AbortSignal | undefined,
): Promise<RunJson> {
  const since = Date.now();
  for (let tries = 0; ; tries += 1) {
    try {
      const run = await load();
      // An operator may already have retried it: then this is the run as it is now.
      if (isTerminalRunStatus(run.status) || tries >= 5) return run;
    } catch (error) {
      if (!isTransient(error) || Date.now() - since >= policy.giveUpAfterMs) throw error;
    }
    await delay(reconnectDelay(tries, policy), signal);
  }
}

/** Runs of this API carry `dependsOn`; for one that does not, the registered definition names them. */
async function loadDefinition(client: ApiClient, run: RunJson): Promise<DefinitionJson | null> {
  const { name, version } = run.definition;
  if (version === null) return null;
  const path = `/v1/definitions/${encodeURIComponent(name)}/versions/${version}`;
  return (await client.get<DefinitionJson>(path)).body;
}

function isTransient(error: unknown): boolean {
  if (error instanceof ApiUnreachable) return true;
  return error instanceof ApiProblem && (error.status >= 500 || error.status === 429);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The signal's reason (an `AbortError` unless the caller gave another). */
function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'The watch was aborted', 'AbortError');
}

/** Waits `ms`, or rejects with the signal's reason as soon as it is aborted. */
function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
