/**
 * The CLI's one way to the REST API (`runs watch` now, the other commands to come): the target from `--url`, `--api-key` and
 * `--namespace` (or `SAGAFLOW_URL`, `SAGAFLOW_API_KEY`, `SAGAFLOW_NAMESPACE`), JSON both ways,
 * and a problem+json answer turned into an {@link ApiProblem} whose message is its `detail`.
 */

/** Where the API is and who the CLI is there. */
export interface ApiTarget {
  /** Base URL of an api role, without a trailing path (`http://127.0.0.1:3000`). */
  url: string;
  /** Sent as `Authorization: ApiKey <key>`; absent when auth is off. */
  apiKey?: string;
  /** Sent as `Sagaflow-Namespace`; absent means the server's `default`. */
  namespace?: string;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** An RFC 9457 problem document as the API answers it (docs/contract.md#errors). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  [member: string]: unknown;
}

/** A non-2xx answer: `message` is the problem's `detail` (or title, or the status line). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiProblem';
  }
}

/** The API could not be reached at all (refused, DNS, TLS): names the URL. */
export class ApiUnreachable extends Error {
  constructor(url: string, cause: unknown) {
    const reason =
      cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
    super(`cannot reach the Sagaflow API at ${url} (${reason}); set --url or SAGAFLOW_URL`);
    this.name = 'ApiUnreachable';
  }
}

export interface ApiRequest {
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiAnswer<T> {
  status: number;
  headers: Headers;
  /** The parsed JSON body; null for 204 or an empty body. */
  body: T;
}

export class ApiClient {
  private readonly base: URL;

  constructor(readonly target: ApiTarget) {
    this.base = new URL(target.url.endsWith('/') ? target.url : `${target.url}/`);
  }

  get<T>(path: string, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
    return this.request<T>('GET', path, request);
  }

  post<T>(path: string, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
    return this.request<T>('POST', path, request);
  }

  delete<T = null>(path: string, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
    return this.request<T>('DELETE', path, request);
  }

  /** The URL of `path` on the API (`/v1/runs` → `http://host/v1/runs`), with `query`. */
  url(path: string, query: ApiRequest['query'] = {}): URL {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /** The `ws:`/`wss:` URL of `path`, for `/ws`. */
  wsUrl(path: string): URL {
    const url = this.url(path);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url;
  }

  /** The credential and namespace headers every call carries; `/ws` sends them on the upgrade. */
  authHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.target.apiKey) headers.authorization = `ApiKey ${this.target.apiKey}`;
    if (this.target.namespace) headers['sagaflow-namespace'] = this.target.namespace;
    return headers;
  }

  async request<T>(method: string, path: string, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
    const url = this.url(path, request.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.authHeaders(),
      ...request.headers,
    };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
    } catch (error) {
      throw new ApiUnreachable(this.base.origin, error);
    }
    const text = await response.text();
    let body: unknown = null;
    if (text.length > 0) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    if (!response.ok) {
      const problem: Problem =
        typeof body === 'object' && body !== null
          ? (body as Problem)
          : {
              status: response.status,
              title: response.statusText,
              detail: typeof body === 'string' ? body : undefined,
            };
      throw new ApiProblem(response.status, problem);
    }
    return { status: response.status, headers: response.headers, body: body as T };
  }
}
