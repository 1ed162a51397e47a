import { useState } from 'react'
import type { ApiToken } from '../api/types'
import { Dialog } from '../components/Dialog'

/** The one time a token's value is shown: the server never returns it again. */
export function TokenValueDialog({ token, onClose }: { token: ApiToken; onClose: () => void }) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    await navigator.clipboard.writeText(token.token ?? '')
    setCopied(true)
  }
  return (
    <Dialog title="Copy your API token" onClose={onClose}>
      <p className="warning" role="note">
        This is the only time the value of <strong>{token.id}</strong> is shown. Copy it now and
        keep it somewhere safe: it cannot be shown again.
      </p>
      <label htmlFor="token-value">Token value</label>
      <textarea id="token-value" readOnly rows={4} value={token.token ?? ''} />
      <div className="actions">
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <p aria-live="polite" className="visually-hidden">
        {copied ? 'The token is copied to the clipboard.' : ''}
      </p>
    </Dialog>
  )
}
