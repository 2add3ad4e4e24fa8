const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Run ids are UUIDs; anything else names no run (and PostgreSQL would reject it as a uuid). */
export function isRunId(value: string): boolean {
  return UUID.test(value);
}
