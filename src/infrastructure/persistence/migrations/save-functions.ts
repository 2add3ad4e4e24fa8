/**
 * Server-side functions that write a whole decision in one statement (one round trip, one
 * implicit transaction, plans cached by PL/pgSQL): a batch of runs with their changed tasks,
 * events and outbox rows. A run whose version moved raises SQLSTATE SF409 and nothing is
 * written — the optimistic lock of the run aggregate.
 */
const RUN_COLUMNS = `id uuid, definition_name text, definition_version int, inline_definition jsonb, status text,
  input jsonb, output jsonb, error jsonb, priority smallint, idempotency_key text, request_hash text,
  cancel_requested boolean, cancel_reason text, last_seq int, version int, expected_version int,
  created_at timestamptz, started_at timestamptz, finished_at timestamptz`;
const TASK_COLUMNS = `run_id uuid, key text, idx int, status text, attempt int, budget_base int, output jsonb,
  error jsonb, queued_at timestamptz, started_at timestamptz, finished_at timestamptz, timer_at timestamptz,
  compensation jsonb, comp_timer_at timestamptz`;
const EVENT_COLUMNS =
  'run_id uuid, seq int, type text, task_key text, attempt int, at timestamptz, data jsonb';
const OUTBOX_COLUMNS =
  'exchange text, routing_key text, message_id text, meta jsonb, body jsonb, priority smallint';

const WRITE_REST = `
  insert into run_events (run_id, seq, type, task_key, attempt, at, data)
    select run_id, seq, type, task_key, attempt, at, data from jsonb_to_recordset(p_events) as x(${EVENT_COLUMNS});
  return query
    insert into outbox (exchange, routing_key, message_id, meta, body, priority)
      select exchange, routing_key, message_id, meta, body, priority
      from jsonb_to_recordset(p_outbox) as x(${OUTBOX_COLUMNS})
    returning outbox.id, outbox.message_id;`;

export const SAVE_FUNCTIONS = [
  `create function sagaflow_save_runs(p_runs jsonb, p_tasks jsonb, p_events jsonb, p_outbox jsonb)
   returns table (outbox_id bigint, outbox_message_id text) language plpgsql as $$
   declare
     updated int;
   begin
     update runs set status = x.status, output = x.output, error = x.error,
         cancel_requested = x.cancel_requested, cancel_reason = x.cancel_reason, last_seq = x.last_seq,
         version = x.version, started_at = x.started_at, finished_at = x.finished_at
       from jsonb_to_recordset(p_runs) as x(${RUN_COLUMNS})
       where runs.id = x.id and runs.version = x.expected_version;
     get diagnostics updated = row_count;
     if updated <> jsonb_array_length(p_runs) then
       raise exception 'sagaflow: run version conflict' using errcode = 'SF409';
     end if;
     update task_runs set status = x.status, attempt = x.attempt, budget_base = x.budget_base,
         output = x.output, error = x.error, queued_at = x.queued_at, started_at = x.started_at,
         finished_at = x.finished_at, timer_at = x.timer_at, compensation = x.compensation,
         comp_timer_at = x.comp_timer_at
       from jsonb_to_recordset(p_tasks) as x(${TASK_COLUMNS})
       where task_runs.run_id = x.run_id and task_runs.key = x.key;
     ${WRITE_REST}
   end $$`,
  insertRunsFunction('initial'),
];

/** The schema generations `sagaflow_insert_runs` was written for, oldest first. */
export type InsertRunsGeneration = 'initial' | 'trace-parent' | 'namespaces';

/**
 * `sagaflow_insert_runs` as each migration left it: as first created, since `runs.trace_parent`
 * (the run's trace context, written once at start), and since `runs.namespace` (the "latest
 * version" check then looks in the run's own namespace).
 */
export function insertRunsFunction(generation: InsertRunsGeneration, verb = 'create'): string {
  const traced = generation !== 'initial';
  const namespaced = generation === 'namespaces';
  const columns = `${RUN_COLUMNS}${traced ? ', trace_parent text' : ''}${namespaced ? ', namespace text' : ''}`;
  const extra = `${traced ? ', trace_parent' : ''}${namespaced ? ', namespace' : ''}`;
  const latestJoin = namespaced
    ? `x(namespace text, definition_name text, definition_version int, check_latest boolean)
         join definitions d on d.namespace = x.namespace and d.name = x.definition_name
           and d.version > x.definition_version`
    : `x(definition_name text, definition_version int,
           check_latest boolean)
         join definitions d on d.name = x.definition_name and d.version > x.definition_version`;
  return `${verb} function sagaflow_insert_runs(p_runs jsonb, p_tasks jsonb, p_events jsonb, p_outbox jsonb)
   returns table (outbox_id bigint, outbox_message_id text) language plpgsql as $$
   begin
     -- Runs whose caller resolved "latest" from its cache: refuse if a newer version was registered.
     if exists (select 1 from jsonb_to_recordset(p_runs) as ${latestJoin}
         where x.check_latest) then
       raise exception 'sagaflow: a newer definition version exists' using errcode = 'SF412';
     end if;
     insert into runs (id, definition_name, definition_version, inline_definition, status, input, output, error,
         priority, idempotency_key, request_hash, cancel_requested, cancel_reason, last_seq, version, created_at,
         started_at, finished_at${extra})
       select id, definition_name, definition_version, inline_definition, status, input, output, error,
         priority, idempotency_key, request_hash, cancel_requested, cancel_reason, last_seq, version, created_at,
         started_at, finished_at${extra}
       from jsonb_to_recordset(p_runs) as x(${columns});
     insert into task_runs (run_id, key, idx, status, attempt, budget_base, output, error, queued_at, started_at,
         finished_at, timer_at, compensation, comp_timer_at)
       select run_id, key, idx, status, attempt, budget_base, output, error, queued_at, started_at,
         finished_at, timer_at, compensation, comp_timer_at
       from jsonb_to_recordset(p_tasks) as x(${TASK_COLUMNS});
     ${WRITE_REST}
   end $$`;
}
