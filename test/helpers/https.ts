import { request } from 'node:https'

/** A JSON request over HTTPS trusting only `ca` (fetch offers no per-request authority). */
export function httpsRequest(
  method: string,
  url: string,
  ca: Buffer,
  authorization: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const req = request(url, { method, ca, headers }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => {
        let parsed: unknown = text
        try {
          parsed = JSON.parse(text)
        } catch {
          // not JSON: kept as text
        }
        resolve({ status: res.statusCode ?? 0, body: parsed })
      })
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}
