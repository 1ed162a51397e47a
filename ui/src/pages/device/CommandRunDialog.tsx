import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../../api/client'
import { segment } from '../../api/paths'
import { Dialog } from '../../components/Dialog'
import { ErrorMessage } from '../../components/ErrorMessage'
import { capabilityBase, capabilityLabel, type CommandCapability } from './device-capabilities'
import { typedValue } from './property-state'

/** POST …/commands/{name}'s answer: the device's response code and payload. */
export interface CommandRun {
  id: string
  request?: unknown
  response?: unknown
  responseCode?: number
}

/** Runs a command with a JSON payload (when the command takes one) and shows the device's answer. */
export function CommandRunDialog({
  api,
  deviceId,
  command,
  onRan,
  onClose,
}: {
  api: ApiClient
  deviceId: string
  command: CommandCapability
  onRan: () => void
  onClose: () => void
}) {
  const [text, setText] = useState('')
  const [answer, setAnswer] = useState<CommandRun | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const label = capabilityLabel(command)

  const run = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setAnswer(null)
    setError(null)
    try {
      const body = text.trim() === '' ? {} : { request: typedValue(command.request, text) }
      setAnswer(await api.post<CommandRun>(`${capabilityBase(deviceId, command)}/commands/${segment(command.name)}`, body))
    } catch (reason) {
      setError(reason)
    } finally {
      setBusy(false)
      onRan()
    }
  }

  return (
    <Dialog title={`Run ${label}`} onClose={onClose}>
      <form onSubmit={run}>
        <label htmlFor="command-payload">Payload</label>
        <textarea
          id="command-payload"
          rows={4}
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder={command.request === undefined ? 'The command takes no payload' : 'JSON'}
        />
        <ErrorMessage error={error} />
        {answer ? (
          <dl className="facts" aria-label="Device answer">
            <dt>Response code</dt>
            <dd id="command-response-code">{answer.responseCode ?? ''}</dd>
            <dt>Response</dt>
            <dd className="mono" id="command-response">
              {answer.response === undefined ? 'None' : JSON.stringify(answer.response)}
            </dd>
          </dl>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Running…' : 'Run'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </Dialog>
  )
}
