import { useState } from 'react'
import type { ApiClient } from '../api/client'
import { apiPathOf } from '../api/paths'
import type { Page } from '../api/types'
import { useLoad } from './useLoad'

/** A paged list: the current page of `first`, and Previous / Next page buttons. */
export function usePaged<T>(api: ApiClient, first: string) {
  const [trail, setTrail] = useState<{ first: string; pages: string[] }>({ first, pages: [first] })
  // A different list (another item's devices) starts again at its first page.
  const pages = trail.first === first ? trail.pages : [first]
  const current = pages[pages.length - 1] as string
  const { data, error, reload } = useLoad(() => api.get<Page<T>>(current), current)
  const pager = (
    <div className="pager">
      {pages.length > 1 ? (
        <button
          type="button"
          className="secondary"
          onClick={() => setTrail({ first, pages: pages.slice(0, -1) })}
        >
          Previous page
        </button>
      ) : null}
      {data?.nextLink ? (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            setTrail({ first, pages: [...pages, apiPathOf(data.nextLink as string)] })
          }
        >
          Next page
        </button>
      ) : null}
    </div>
  )
  return { data, error, reload, pager }
}
