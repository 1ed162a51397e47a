import { useEffect, useState } from 'react'

/** The current path, kept in step with the address bar (no router library needed for a few pages). */
export function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(location.pathname)
  useEffect(() => {
    const onPop = () => setPath(location.pathname)
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])
  const navigate = (next: string) => {
    history.pushState(null, '', next)
    setPath(next)
  }
  return [path, navigate]
}
