import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../../api/client'
import { segment } from '../../api/paths'
import { FormActions } from '../../components/Controls'
import { Dialog } from '../../components/Dialog'
import { ErrorMessage } from '../../components/ErrorMessage'
import { capabilityLabel } from './device-capabilities'
import { propertyPatch, shownValue, typedValue, type PropertyState } from './property-state'

/** Sets a writable property's desired value (or a cloud property's value) with a PATCH. */
export function PropertyEditDialog({
  api,
  deviceId,
  state,
  onClose,
  onSaved,
}: {
  api: ApiClient
  deviceId: string
  state: PropertyState
  onClose: () => void
  onSaved: () => void
}) {
  const { capability } = state
  const current = capability.cloud ? state.reported : (state.metadata.desiredValue ?? state.reported)
  const [text, setText] = useState(shownValue(current))
  const [error, setError] = useState<unknown>(null)
  const label = capabilityLabel(capability)

  const save = async (event: FormEvent) => {
    event.preventDefault()
    try {
      const value = typedValue(capability.schema, text)
      await api.patch(`/devices/${segment(deviceId)}/properties`, propertyPatch(capability, value))
      onSaved()
    } catch (reason) {
      setError(reason)
    }
  }

  return (
    <Dialog title={`Set ${label}`} onClose={onClose}>
      <form onSubmit={save}>
        <label htmlFor="property-value">Value of {label}</label>
        <input id="property-value" value={text} onChange={(event) => setText(event.target.value)} />
        {typeof capability.schema === 'string' ? (
          <p className="hint">Schema: {capability.schema}</p>
        ) : (
          <p className="hint">Write the value as JSON.</p>
        )}
        <ErrorMessage error={error} />
        <FormActions submit="Save" onCancel={onClose} />
      </form>
    </Dialog>
  )
}
