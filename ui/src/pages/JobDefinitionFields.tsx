import type { JobDataType } from '../api/types'
import { OrganizationSelect } from '../components/Controls'
import { DATA_TYPES, type JobChoices, type JobForm } from './job-form'
import { capabilityPaths } from './template-capabilities'
import { templateName } from './template-name'

/** The fields a job and a scheduled job share: what to do, to which group, in which batches. */
export function JobDefinitionFields({
  form,
  onChange,
  choices,
}: {
  form: JobForm
  onChange: (form: JobForm) => void
  choices: JobChoices
}) {
  const set = <K extends keyof JobForm>(key: K, value: JobForm[K]) =>
    onChange({ ...form, [key]: value })
  const paths = capabilityPaths(
    choices.templates.find((template) => template['@id'] === form.target),
    form.type,
  )
  const templateSelect = (id: string, label: string, key: 'target' | 'template') => (
    <>
      <label htmlFor={id}>{label}</label>
      {choices.templates.length > 0 ? (
        <select id={id} value={form[key]} onChange={(event) => set(key, event.target.value)}>
          {choices.templates.map((template) => (
            <option key={template['@id']} value={template['@id']}>
              {templateName(template)}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          required
          value={form[key]}
          onChange={(event) => set(key, event.target.value)}
        />
      )}
    </>
  )
  return (
    <>
      <label htmlFor="job-name">Job name</label>
      <input
        id="job-name"
        required
        value={form.displayName}
        onChange={(event) => set('displayName', event.target.value)}
      />
      <label htmlFor="job-description">Description</label>
      <input
        id="job-description"
        value={form.description}
        onChange={(event) => set('description', event.target.value)}
      />
      <label htmlFor="job-group">Device group</label>
      <select
        id="job-group"
        required
        value={form.group}
        onChange={(event) => set('group', event.target.value)}
      >
        {choices.groups.some((group) => group.id === form.group) ? null : (
          <option value={form.group}>{form.group || 'Choose a group'}</option>
        )}
        {choices.groups.map((group) => (
          <option key={group.id} value={group.id}>
            {group.displayName}
          </option>
        ))}
      </select>
      {choices.organizations.length > 0 ? (
        <OrganizationSelect
          id="job-organization"
          value={form.organization}
          onChange={(value) => set('organization', value)}
          organizations={choices.organizations}
        />
      ) : null}
      <label htmlFor="job-type">Job type</label>
      <select
        id="job-type"
        value={form.type}
        onChange={(event) => set('type', event.target.value as JobDataType)}
      >
        {DATA_TYPES.map((entry) => (
          <option key={entry.type} value={entry.type}>
            {entry.label}
          </option>
        ))}
      </select>
      {form.type === 'deviceTemplateMigration' ? (
        templateSelect('job-template', 'Move the devices to template', 'template')
      ) : (
        <>
          {templateSelect('job-target', 'Device template', 'target')}
          <label htmlFor="job-path">
            {form.type === 'command' ? 'Command' : 'Property'}
          </label>
          {paths.length > 0 ? (
            <select
              id="job-path"
              required
              value={form.path}
              onChange={(event) => set('path', event.target.value)}
            >
              <option value="">Choose…</option>
              {form.path && !paths.includes(form.path) ? (
                <option value={form.path}>{form.path}</option>
              ) : null}
              {paths.map((path) => (
                <option key={path} value={path}>
                  {path}
                </option>
              ))}
            </select>
          ) : (
            <input
              id="job-path"
              required
              value={form.path}
              onChange={(event) => set('path', event.target.value)}
            />
          )}
          <label htmlFor="job-value">
            {form.type === 'command' ? 'Payload (JSON, optional)' : 'Value (JSON or text)'}
          </label>
          <input
            id="job-value"
            value={form.value}
            onChange={(event) => set('value', event.target.value)}
          />
        </>
      )}
      <fieldset>
        <legend>Delivery</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.batch}
            onChange={(event) => set('batch', event.target.checked)}
          />
          Run in batches
        </label>
        {form.batch ? (
          <div className="two-columns">
            <div>
              <label htmlFor="job-batch-type">Batch size as</label>
              <select
                id="job-batch-type"
                value={form.batchType}
                onChange={(event) =>
                  set('batchType', event.target.value as JobForm['batchType'])
                }
              >
                <option value="number">Number of devices</option>
                <option value="percentage">Percentage of devices</option>
              </select>
            </div>
            <div>
              <label htmlFor="job-batch-value">Batch size</label>
              <input
                id="job-batch-value"
                type="number"
                min={1}
                max={form.batchType === 'percentage' ? 100 : undefined}
                required
                value={form.batchValue}
                onChange={(event) => set('batchValue', event.target.value)}
              />
            </div>
          </div>
        ) : null}
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.cancel}
            onChange={(event) => set('cancel', event.target.checked)}
          />
          Cancel when too many devices fail
        </label>
        {form.cancel ? (
          <>
            <div className="two-columns">
              <div>
                <label htmlFor="job-cancel-type">Threshold as</label>
                <select
                  id="job-cancel-type"
                  value={form.cancelType}
                  onChange={(event) =>
                    set('cancelType', event.target.value as JobForm['cancelType'])
                  }
                >
                  <option value="number">Number of devices</option>
                  <option value="percentage">Percentage of devices</option>
                </select>
              </div>
              <div>
                <label htmlFor="job-cancel-value">Cancellation threshold</label>
                <input
                  id="job-cancel-value"
                  type="number"
                  min={0}
                  max={form.cancelType === 'percentage' ? 100 : undefined}
                  required
                  value={form.cancelValue}
                  onChange={(event) => set('cancelValue', event.target.value)}
                />
              </div>
            </div>
            {form.batch ? (
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={form.cancelPerBatch}
                  onChange={(event) => set('cancelPerBatch', event.target.checked)}
                />
                Apply the threshold to each batch
              </label>
            ) : null}
          </>
        ) : null}
      </fieldset>
    </>
  )
}
