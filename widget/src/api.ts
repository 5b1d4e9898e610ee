// The widget's only door to the service: bearer-authenticated GETs and JSON POSTs that turn
// every failure (HTTP problem+json, network, bad JSON) into one typed error.

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  request_id?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number, // 0 = network failure
    readonly problem: Problem,
    readonly url: string,
  ) {
    super(problem.detail ?? problem.title ?? `request failed (${status})`);
    this.name = "ApiError";
  }

  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export class ApiClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  url(path: string, query: Record<string, string | null | undefined> = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value) params.set(key, value);
    }
    const qs = params.toString();
    return `${this.base.replace(/\/+$/, "")}${path}${qs ? `?${qs}` : ""}`;
  }

  async get<T>(
    path: string,
    query: Record<string, string | null | undefined> = {},
    signal?: AbortSignal,
  ): Promise<T> {
    return this.request<T>("GET", path, query, undefined, signal);
  }

  /** A JSON POST (the what-if departure impact is a read sent as POST); errors as `get`. */
  async post<T>(
    path: string,
    body: unknown,
    query: Record<string, string | null | undefined> = {},
    signal?: AbortSignal,
  ): Promise<T> {
    return this.request<T>("POST", path, query, body, signal);
  }

  private async request<T>(
    method: "GET" | "POST",
    path: string,
    query: Record<string, string | null | undefined>,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const url = this.url(path, query);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      Accept: "application/json",
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // Bearer tokens only: never send the host page's cookies to the service.
        credentials: "omit",
        mode: "cors",
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(
        0,
        { title: "Network error", detail: `Could not reach Powermap at ${this.base || "this site"}.` },
        url,
      );
    }
    if (!response.ok) {
      let problem: Problem = { status: response.status, title: response.statusText };
      try {
        problem = { ...problem, ...((await response.json()) as Problem) };
      } catch {
        // A proxy's HTML error page: keep the status line.
      }
      throw new ApiError(response.status, problem, url);
    }
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError(
        response.status,
        { title: "Bad response", detail: "The service sent a response that is not JSON." },
        url,
      );
    }
  }
}

export function encodeId(id: string): string {
  return encodeURIComponent(id);
}
