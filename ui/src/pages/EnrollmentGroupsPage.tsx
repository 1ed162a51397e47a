import { useState } from 'react'
import type { ApiClient } from '../api/client'
import { segment } from '../api/paths'
import type { EnrollmentGroup, Page } from '../api/types'
import { DataTable, PageHead, RowButton } from '../components/Controls'
import { ErrorMessage } from '../components/ErrorMessage'
import { BackLink, Link } from '../components/Link'
import { SecretField } from '../components/SecretField'
import { useAction } from '../components/useAction'
import { useConfirmedDelete } from '../components/useConfirmedDelete'
import { useLoad } from '../components/useLoad'
import { itemPath, type Route } from '../router'
import { EnrollmentGroupDialog } from './EnrollmentGroupDialog'
import { SigningCertificatePanel } from './SigningCertificatePanel'

type May = (permission: string, applicationWide?: boolean) => boolean

const deviceKind = (group: EnrollmentGroup) =>
  group.type === 'iotEdge' ? 'IoT Edge devices' : 'IoT devices'
const attestationKind = (group: EnrollmentGroup) =>
  group.attestation.type === 'x509' ? 'Certificates (X.509)' : 'Shared access signature (SAS)'
const isEnabled = (group: EnrollmentGroup) => group.enabled !== false

/** Turns a group on or off (a merge patch, the only kind this resource takes). */
const setEnabled = (api: ApiClient, group: EnrollmentGroup, enabled: boolean) =>
  api.mergePatch(`/enrollmentGroups/${segment(group.id)}`, { enabled })

/** Administration / Device connection groups (enrollment groups): list, create, open, delete. */
export function EnrollmentGroupsPage({
  api,
  may,
  route,
}: {
  api: ApiClient
  may: May
  route: Route
}) {
  if (route.rest) return <EnrollmentGroupView key={route.rest} api={api} may={may} route={route} />
  return <EnrollmentGroupList api={api} may={may} route={route} />
}

function EnrollmentGroupList({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const { data, error, reload } = useLoad(() => api.get<Page<EnrollmentGroup>>('/enrollmentGroups'))
  const { run, actionError } = useAction(reload)
  const [creating, setCreating] = useState(false)
  const confirmDelete = useConfirmedDelete(api, run, (group: EnrollmentGroup) => ({
    title: 'Delete device connection group',
    message: `Delete ${group.displayName}? Devices that have not connected yet can no longer connect with it.`,
    path: `/enrollmentGroups/${segment(group.id)}`,
  }))
  const manage = may('deviceConnectivity.manageGlobal', true)

  return (
    <section aria-labelledby="page-title">
      <PageHead
        title="Device connection groups"
        create={manage && { label: 'New group', onClick: () => setCreating(true) }}
      />
      <p className="hint">
        Devices connect through the device provisioning service with a group&apos;s keys or
        certificates; they are registered when they first connect.
      </p>
      <ErrorMessage error={error ?? actionError} />
      {data && data.value.length === 0 ? <p>No device connection groups yet.</p> : null}
      {data && data.value.length > 0 ? (
        <DataTable
          label="Device connection groups"
          columns={['Name', 'Devices', 'Attestation', 'State']}
        >
          {data.value.map((group) => (
            <tr key={group.id}>
              <td>
                <Link to={itemPath(route, group.id)} navigate={route.navigate}>
                  {group.displayName}
                </Link>
              </td>
              <td>{deviceKind(group)}</td>
              <td>{attestationKind(group)}</td>
              <td>{isEnabled(group) ? 'Enabled' : 'Disabled'}</td>
              <td className="row-actions">
                {manage ? (
                  <RowButton
                    text={isEnabled(group) ? 'Disable' : 'Enable'}
                    subject={group.displayName}
                    onClick={() => void run(() => setEnabled(api, group, !isEnabled(group)))}
                  />
                ) : null}
                {manage ? (
                  <RowButton
                    text="Delete"
                    subject={group.displayName}
                    onClick={() => confirmDelete.ask(group)}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {creating ? (
        <EnrollmentGroupDialog
          api={api}
          onClose={() => setCreating(false)}
          onCreated={(group) => {
            setCreating(false)
            route.navigate(itemPath(route, group.id))
          }}
        />
      ) : null}
      {confirmDelete.dialog}
    </section>
  )
}

function EnrollmentGroupView({ api, may, route }: { api: ApiClient; may: May; route: Route }) {
  const { data, error, reload } = useLoad(() =>
    api.get<EnrollmentGroup>(`/enrollmentGroups/${segment(route.rest)}`),
  )
  const { run, actionError } = useAction(reload)
  const manage = may('deviceConnectivity.manageGlobal', true)
  const keys = data?.attestation.symmetricKey

  return (
    <section aria-labelledby="page-title">
      <BackLink to={route.base} navigate={route.navigate}>
        Device connection groups
      </BackLink>
      <PageHead title={data?.displayName ?? route.rest}>
        {data && manage ? (
          <button
            type="button"
            className="secondary"
            onClick={() => void run(() => setEnabled(api, data, !isEnabled(data)))}
          >
            {isEnabled(data) ? 'Disable' : 'Enable'}
          </button>
        ) : null}
      </PageHead>
      <ErrorMessage error={error ?? actionError} />
      {data ? (
        <>
          <dl className="facts">
            <dt>Group id</dt>
            <dd className="mono">{data.id}</dd>
            <dt>Devices</dt>
            <dd>{deviceKind(data)}</dd>
            <dt>Attestation</dt>
            <dd>{attestationKind(data)}</dd>
            <dt>State</dt>
            <dd>{isEnabled(data) ? 'Enabled' : 'Disabled'}</dd>
          </dl>
          {keys ? (
            <section className="panel" aria-label="Keys">
              <h3>Shared access signature keys</h3>
              <p className="hint">
                A device&apos;s own key is derived from the group key and its device id.
              </p>
              <SecretField id="group-primary-key" label="Primary key" value={keys.primaryKey} />
              <SecretField
                id="group-secondary-key"
                label="Secondary key"
                value={keys.secondaryKey}
              />
            </section>
          ) : null}
          {data.attestation.type === 'x509' ? (
            <div className="panels">
              {(['primary', 'secondary'] as const).map((entry) => (
                <SigningCertificatePanel
                  key={entry}
                  api={api}
                  groupId={data.id}
                  entry={entry}
                  mayManage={manage}
                />
              ))}
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  )
}
