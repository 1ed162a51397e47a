import type { ChangeEvent } from 'react'
import type { ApiClient } from '../api/client'
import type { DeviceTemplate, Page } from '../api/types'
import { DataTable, PageHead, RowButton } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { useAction } from '../components/useAction'
import { useConfirmedDelete } from '../components/useConfirmedDelete'
import { useLoad } from '../components/useLoad'

const nameOf = (template: DeviceTemplate) =>
  typeof template.displayName === 'string'
    ? template.displayName
    : (Object.values(template.displayName ?? {})[0] ?? template['@id'])

/** Device templates: list, import one from a JSON file (its `@id` names it), delete. */
export function DeviceTemplatesPage({
  api,
  may,
}: {
  api: ApiClient
  may: (permission: string) => boolean
}) {
  const { data, error, reload } = useLoad(() => api.get<Page<DeviceTemplate>>('/deviceTemplates'))
  const { run, actionError } = useAction(reload)
  const confirmDelete = useConfirmedDelete(api, run, (template: DeviceTemplate) => ({
    title: 'Delete device template',
    message: `Delete ${nameOf(template)}? Only a template no device uses can be deleted.`,
    path: `/deviceTemplates/${encodeURIComponent(template['@id'])}`,
  }))

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    event.target.value = ''
    if (!file) return
    await run(async () => {
      let template: DeviceTemplate
      try {
        template = JSON.parse(await file.text()) as DeviceTemplate
      } catch {
        throw new Error(`${file.name} is not a JSON file.`)
      }
      if (typeof template['@id'] !== 'string') throw new Error(`${file.name} has no "@id".`)
      await api.put(`/deviceTemplates/${encodeURIComponent(template['@id'])}`, template)
    })
  }

  return (
    <section aria-labelledby="page-title">
      <PageHead title="Device templates">
        {may('deviceTemplates.manage') ? (
          <label className="file-button">
            Import a template (JSON)
            <input
              type="file"
              accept="application/json,.json"
              onChange={(e) => void importFile(e)}
            />
          </label>
        ) : null}
      </PageHead>
      <ErrorMessage error={error ?? actionError} />
      {data && data.value.length === 0 ? <p>No device templates yet.</p> : null}
      {data && data.value.length > 0 ? (
        <DataTable label="Device templates" columns={['Name', 'Id']}>
          {data.value.map((template) => (
            <tr key={template['@id']}>
              <td>{nameOf(template)}</td>
              <td>{template['@id']}</td>
              <td>
                {may('deviceTemplates.manage') ? (
                  <RowButton
                    text="Delete"
                    subject={nameOf(template)}
                    onClick={() => confirmDelete.ask(template)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {confirmDelete.dialog}
    </section>
  )
}
