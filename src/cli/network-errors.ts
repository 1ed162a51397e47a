/** TLS verification failures: the server's certificate chain is not one this process trusts. */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
])

/** The innermost error with a `code`: fetch wraps the socket's error as its cause ("fetch failed"). */
function rootCause(error: unknown): { code?: string; message?: string } | null {
  let current = error as { code?: string; cause?: unknown } | undefined
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string' && !current.code.startsWith('UND_ERR_')) return current
    current = current.cause as typeof current
  }
  return null
}

/**
 * Says what failed when the CLI could not talk to `server`, and what to do about it; null when
 * the error is not a network failure (it is reported as it is).
 */
export function explainNetworkError(error: unknown, server: string): Error | null {
  const cause = rootCause(error)
  if (!cause?.code) return null
  const { host } = new URL(server)
  const because = (text: string) => new Error(text, { cause: error })
  switch (cause.code) {
    case 'ECONNREFUSED':
      return because(
        `connection refused by ${host}: is the server running there? Name the right one with --server <url>.`,
      )
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return because(`cannot resolve the host name of ${server} (${cause.code}): check --server.`)
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return because(`cannot reach ${host} (${cause.code}): check --server and the network between.`)
    case 'CERT_HAS_EXPIRED':
      return because(`the certificate of ${server} has expired: the server needs a new one.`)
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return because(
        `the certificate of ${server} does not name ${new URL(server).hostname}: use a --server name the certificate holds (${cause.message ?? ''}).`,
      )
  }
  if (UNTRUSTED_CERTIFICATE.has(cause.code)) {
    return because(
      `the certificate of ${server} is not trusted (${cause.code}). If the server uses the development certificate, trust its authority: NODE_EXTRA_CA_CERTS=<data>/tls/ca.pem opencentral … (the ca.pem that 'opencentral cert create' made in the server's data folder); otherwise add the authority that signed it to NODE_EXTRA_CA_CERTS or the system store.`,
    )
  }
  return null
}
