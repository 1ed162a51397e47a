import { useState } from 'react'
import type { ApiClient } from '../../api/client'
import { segment } from '../../api/paths'
import { DataTable, RowButton } from '../../components/Controls'
import { ErrorMessage } from '../../components/ErrorMessage'
import { useLoad } from '../../components/useLoad'
import { AcknowledgementBadge } from './AcknowledgementBadge'
import { capabilityLabel, type PropertyCapability } from './device-capabilities'
import { PropertyEditDialog } from './PropertyEditDialog'
import { propertyStates, shownValue, type PropertiesView, type PropertyState } from './property-state'

/** The template's properties: reported values, desired values with the device's answer, edits. */
export function PropertiesPanel({
  api,
  deviceId,
  capabilities,
  mayEdit,
  version,
}: {
  api: ApiClient
  deviceId: string
  capabilities: PropertyCapability[]
  mayEdit: boolean
  version: number
}) {
  const { data, error, reload } = useLoad(
    () => api.get<PropertiesView>(`/devices/${segment(deviceId)}/properties`),
    version,
  )
  const [editing, setEditing] = useState<PropertyState | null>(null)
  const states = data ? propertyStates(capabilities, data) : []

  return (
    <section className="panel" aria-labelledby="properties-title">
      <h2 id="properties-title">Properties</h2>
      <ErrorMessage error={error} />
      {capabilities.length === 0 ? <p>The device's template declares no properties.</p> : null}
      {states.length > 0 ? (
        <DataTable label="Properties" columns={['Property', 'Kind', 'Reported', 'Desired', 'Device answer']}>
          {states.map((state) => {
            const label = capabilityLabel(state.capability)
            const editable = state.capability.writable || state.capability.cloud
            return (
              <tr key={label}>
                <td>{label}</td>
                <td>{state.capability.cloud ? 'Cloud' : state.capability.writable ? 'Writable' : 'Read-only'}</td>
                <td className="mono">{shownValue(state.reported)}</td>
                <td className="mono">{shownValue(state.metadata.desiredValue)}</td>
                <td>
                  <AcknowledgementBadge acknowledgement={state.acknowledgement} />
                </td>
                <td className="row-actions">
                  {mayEdit && editable ? (
                    <RowButton text="Edit" subject={label} onClick={() => setEditing(state)} />
                  ) : null}
                </td>
              </tr>
            )
          })}
        </DataTable>
      ) : null}
      {editing ? (
        <PropertyEditDialog
          api={api}
          deviceId={deviceId}
          state={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            reload()
          }}
        />
      ) : null}
    </section>
  )
}
