export interface JsonAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A JSON request to a running app; `baseUrl` is read at call time (apps start in beforeAll). */
export function httpJson(baseUrl: () => string) {
  return async (method: string, path: string, body?: unknown): Promise<JsonAnswer> => {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}
