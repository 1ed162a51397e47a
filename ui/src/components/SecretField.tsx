import { useState } from 'react'

/**
 * A key or other secret: hidden until the person asks to see it (the value is not in the page
 * until then), with a Copy button that works either way.
 */
export function SecretField({ id, label, value }: { id: string; label: string; value: string }) {
  const [shown, setShown] = useState(false)
  const [copied, setCopied] = useState<boolean | null>(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      setCopied(true)
    } catch {
      setCopied(false)
    }
  }
  return (
    <div className="secret">
      <label htmlFor={id}>{label}</label>
      <div className="secret-row">
        <input
          id={id}
          readOnly
          className="mono"
          value={shown ? value : '••••••••••••••••••••••••'}
        />
        <button
          type="button"
          className="secondary"
          aria-label={`${shown ? 'Hide' : 'Show'} ${label.toLowerCase()}`}
          onClick={() => setShown(!shown)}
        >
          {shown ? 'Hide' : 'Show'}
        </button>
        <button
          type="button"
          className="secondary"
          aria-label={`Copy ${label.toLowerCase()}`}
          onClick={() => void copy()}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p aria-live="polite" className={copied === false ? 'error' : 'visually-hidden'}>
        {copied === true ? `The ${label.toLowerCase()} is copied to the clipboard.` : ''}
        {copied === false ? 'The browser did not allow copying; show the value and copy it.' : ''}
      </p>
    </div>
  )
}

/** A value shown as is, with a Copy button (an ID scope, a verification code). */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div className="secret">
      <label htmlFor={id}>{label}</label>
      <div className="secret-row">
        <input id={id} readOnly className="mono" value={value} />
        <button
          type="button"
          className="secondary"
          aria-label={`Copy ${label.toLowerCase()}`}
          onClick={() =>
            void navigator.clipboard.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  )
}
