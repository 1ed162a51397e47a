import { useEffect, useRef, type ReactNode } from 'react'

/** A modal dialog (the native <dialog>: focus is trapped and Escape closes it). */
export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string
  onClose: () => void
  children: ReactNode
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
  }, [])
  return (
    <dialog ref={ref} aria-label={title} onClose={onClose}>
      <h2>{title}</h2>
      {children}
    </dialog>
  )
}

/** Asks before something that cannot be undone. */
export function ConfirmDialog({
  title,
  message,
  action,
  onConfirm,
  onCancel,
}: {
  title: string
  message: string
  action: string
  onConfirm: () => void
  onCancel: () => void
}) {
  return (
    <Dialog title={title} onClose={onCancel}>
      <p>{message}</p>
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm}>
          {action}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </Dialog>
  )
}
