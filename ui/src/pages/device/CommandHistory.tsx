import { useEffect } from 'react'
import type { ApiClient } from '../../api/client'
import { segment } from '../../api/paths'
import { DataTable } from '../../components/Controls'
import { ErrorMessage } from '../../components/ErrorMessage'
import { usePaged } from '../../components/usePaged'
import type { CommandRun } from './CommandRunDialog'
import { capabilityBase, capabilityLabel, type CommandCapability } from './device-capabilities'

const json = (value: unknown) => (value === undefined ? '' : JSON.stringify(value))

/** A command's past runs, most recent first, a page at a time; read again after each run. */
export function CommandHistory({
  api,
  deviceId,
  command,
  version,
}: {
  api: ApiClient
  deviceId: string
  command: CommandCapability
  version: number
}) {
  const label = capabilityLabel(command)
  const runs = usePaged<CommandRun>(
    api,
    `${capabilityBase(deviceId, command)}/commands/${segment(command.name)}?maxpagesize=10`,
  )
  useEffect(() => {
    if (version > 0) runs.reload()
  }, [version])

  return (
    <section aria-label={`Runs of ${label}`}>
      <h3>Runs of {label}</h3>
      <ErrorMessage error={runs.error} />
      {runs.data && runs.data.value.length === 0 ? <p>The command has not been run.</p> : null}
      {runs.data && runs.data.value.length > 0 ? (
        <DataTable label={`Runs of ${label}`} columns={['Request', 'Response code', 'Response']}>
          {runs.data.value.map((run) => (
            <tr key={run.id}>
              <td className="mono">{json(run.request)}</td>
              <td>{run.responseCode ?? ''}</td>
              <td className="mono">{json(run.response)}</td>
              <td />
            </tr>
          ))}
        </DataTable>
      ) : null}
      {runs.pager}
    </section>
  )
}
