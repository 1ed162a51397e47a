export const API_VERSION = '2022-07-31'

/** An error the API answered, in the words it used, with the request id to quote. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message)
  }
}

/** Calls the REST API with the bearer token, exactly as any other client would. */
export class ApiClient {
  /**
   * `onUnauthorized` runs when the API refuses the token (expired, or its issuer's keys changed):
   * it may renew the session; true when it did (the page is going away).
   */
  constructor(
    private readonly accessToken: string,
    private readonly onUnauthorized: () => boolean = () => false,
  ) {}

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const url = new URL(`/api${path}`, location.origin)
    url.searchParams.set('api-version', API_VERSION)
    const headers: Record<string, string> = { authorization: `Bearer ${this.accessToken}` }
    if (body !== undefined) headers['content-type'] = contentType
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    const parsed = text ? JSON.parse(text) : undefined
    if (response.status === 401) this.onUnauthorized()
    if (!response.ok) {
      const error = parsed?.error
      throw new ApiError(
        response.status,
        error?.code ?? 'Error',
        error?.message ?? `The server answered ${response.status}.`,
        error?.requestId ?? response.headers.get('x-ms-request-id'),
      )
    }
    return parsed as T
  }

  get = <T>(path: string) => this.call<T>('GET', path)
  put = <T>(path: string, body: unknown) => this.call<T>('PUT', path, body)
  patch = <T>(path: string, body: unknown) => this.call<T>('PATCH', path, body)
  /** A JSON merge patch, for the resources whose PATCH accepts nothing else. */
  mergePatch = <T>(path: string, body: unknown) =>
    this.call<T>('PATCH', path, body, 'application/merge-patch+json')
  post = <T>(path: string, body?: unknown) => this.call<T>('POST', path, body)
  delete = (path: string) => this.call<void>('DELETE', path)
}
