import { useState } from 'react'

/** Which item a dialog edits ('new' to create one); saving closes it and reloads the page. */
export function useEditor<T>(reload: () => void) {
  const [editing, setEditing] = useState<T | 'new' | null>(null)
  return {
    editing,
    /** The item being edited, or null when a new one is being made. */
    current: editing === 'new' ? null : editing,
    open: (item: T | 'new') => setEditing(item),
    close: () => setEditing(null),
    saved: () => {
      setEditing(null)
      reload()
    },
  }
}
