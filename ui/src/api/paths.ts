/** The path and query of a nextLink, relative to /api, as the client calls it. */
export const apiPathOf = (link: string) => {
  const url = new URL(link, location.origin)
  url.searchParams.delete('api-version')
  return `${url.pathname.replace(/^\/api/, '')}${url.search}`
}

/** One path segment, encoded. */
export const segment = (id: string) => encodeURIComponent(id)

/** An id for something new, in the pattern the API asks of job and group ids. */
export const newId = () => crypto.randomUUID()
