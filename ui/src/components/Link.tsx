import type { ReactNode } from 'react'

/** A link within the application: a real address (opens in a new tab too), followed in place. */
export function Link({
  to,
  navigate,
  label,
  children,
}: {
  to: string
  navigate: (path: string) => void
  label?: string
  children: ReactNode
}) {
  return (
    <a
      href={to}
      aria-label={label}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return
        event.preventDefault()
        navigate(to)
      }}
    >
      {children}
    </a>
  )
}

/** Back to a page's list, above an item's view. */
export function BackLink({
  to,
  navigate,
  children,
}: {
  to: string
  navigate: (path: string) => void
  children: ReactNode
}) {
  return (
    <p className="back">
      <Link to={to} navigate={navigate}>
        ← {children}
      </Link>
    </p>
  )
}
