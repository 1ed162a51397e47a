import { useState } from 'react'
import type { ApiClient } from '../api/client'
import { ConfirmDialog } from './Dialog'

/**
 * Deleting after a confirmation: `ask(item)` opens the dialog; confirming sends DELETE to the
 * item's path through `run` (which reloads the page and keeps any error to show).
 */
export function useConfirmedDelete<T>(
  api: ApiClient,
  run: (action: () => Promise<unknown>) => Promise<void>,
  describe: (item: T) => { title: string; message: string; path: string; action?: string },
) {
  const [pending, setPending] = useState<T | null>(null)
  const described = pending === null ? null : describe(pending)
  const dialog = described ? (
    <ConfirmDialog
      title={described.title}
      message={described.message}
      action={described.action ?? 'Delete'}
      onConfirm={() => {
        setPending(null)
        void run(() => api.delete(described.path))
      }}
      onCancel={() => setPending(null)}
    />
  ) : null
  return { ask: setPending, dialog }
}
