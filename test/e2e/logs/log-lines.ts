/** One parsed JSON log line of a Sagaflow process. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

/** The JSON lines of a process's stdout; anything else there is an error of its own. */
export function logLines(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line on stdout: ${line}`);
      }
    });
}
