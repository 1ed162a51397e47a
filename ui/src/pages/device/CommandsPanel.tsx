import { useState } from 'react'
import type { ApiClient } from '../../api/client'
import { DataTable, RowButton } from '../../components/Controls'
import { CommandHistory } from './CommandHistory'
import { CommandRunDialog } from './CommandRunDialog'
import { capabilityLabel, type CommandCapability } from './device-capabilities'

/** The template's commands: run one with a payload, or read a command's past runs. */
export function CommandsPanel({
  api,
  deviceId,
  capabilities,
  mayRun,
}: {
  api: ApiClient
  deviceId: string
  capabilities: CommandCapability[]
  mayRun: boolean
}) {
  const [running, setRunning] = useState<CommandCapability | null>(null)
  const [shown, setShown] = useState<CommandCapability | null>(null)
  // Bumped after each run, so that the history shown reads the new run.
  const [runs, setRuns] = useState(0)

  return (
    <section className="panel" aria-labelledby="commands-title">
      <h2 id="commands-title">Commands</h2>
      {capabilities.length === 0 ? <p>The device's template declares no commands.</p> : null}
      {capabilities.length > 0 ? (
        <DataTable label="Commands" columns={['Command']}>
          {capabilities.map((capability) => {
            const label = capabilityLabel(capability)
            return (
              <tr key={label}>
                <td>{label}</td>
                <td className="row-actions">
                  {mayRun ? <RowButton text="Run" subject={label} onClick={() => setRunning(capability)} /> : null}
                  <RowButton text="History of" subject={label} onClick={() => setShown(capability)} />
                </td>
              </tr>
            )
          })}
        </DataTable>
      ) : null}
      {shown ? <CommandHistory api={api} deviceId={deviceId} command={shown} version={runs} /> : null}
      {running ? (
        <CommandRunDialog
          api={api}
          deviceId={deviceId}
          command={running}
          onRan={() => {
            setShown(running)
            setRuns(runs + 1)
          }}
          onClose={() => setRunning(null)}
        />
      ) : null}
    </section>
  )
}
