import { useState, type FormEvent } from 'react'
import type { ApiClient } from '../api/client'
import { newId, segment } from '../api/paths'
import type { Job } from '../api/types'
import { FormActions } from '../components/Controls'
import { Dialog } from '../components/Dialog'
import { ErrorMessage } from '../components/ErrorMessage'
import { emptyJobForm, jobDefinitionOf, type JobChoices, type JobForm } from './job-form'
import { JobDefinitionFields } from './JobDefinitionFields'

/** A new job: it starts as soon as it is created. */
export function JobDialog({
  api,
  choices,
  initialGroup,
  onClose,
  onCreated,
}: {
  api: ApiClient
  choices: JobChoices
  initialGroup?: string
  onClose: () => void
  onCreated: (job: Job) => void
}) {
  const [id, setId] = useState<string>(newId)
  const [form, setForm] = useState<JobForm>(() => ({
    ...emptyJobForm(choices),
    ...(initialGroup ? { group: initialGroup } : {}),
  }))
  const [error, setError] = useState<unknown>(null)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    try {
      const job = await api.put<Job>(
        `/jobs/${segment(id)}`,
        jobDefinitionOf(form, choices.organizations.length > 0),
      )
      onCreated(job)
    } catch (reason) {
      setError(reason)
    }
  }

  return (
    <Dialog title="New job" onClose={onClose}>
      <form className="wide-form" onSubmit={(event) => void submit(event)}>
        <ErrorMessage error={error} />
        {choices.groups.length === 0 ? (
          <p className="warning" role="note">
            A job runs on a device group; there is none yet.
          </p>
        ) : null}
        <label htmlFor="job-id">Job id</label>
        <input
          id="job-id"
          required
          pattern="[a-zA-Z0-9_\-]+"
          title="Letters, digits, dashes and underscores"
          value={id}
          onChange={(event) => setId(event.target.value)}
        />
        <JobDefinitionFields form={form} onChange={setForm} choices={choices} />
        <FormActions submit="Run" onCancel={onClose} />
      </form>
    </Dialog>
  )
}
