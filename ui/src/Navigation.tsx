import type { ReactNode } from 'react'
import type { ApiClient } from './api/client'
import type { Route } from './router'
import { ApiTokensPage } from './pages/ApiTokensPage'
import { AuditLogPage } from './pages/AuditLogPage'
import { DeviceGroupsPage } from './pages/DeviceGroupsPage'
import { DeviceTemplatesPage } from './pages/DeviceTemplatesPage'
import { DevicesPage } from './pages/DevicesPage'
import { EnrollmentGroupsPage } from './pages/EnrollmentGroupsPage'
import { JobsPage } from './pages/JobsPage'
import { ScheduledJobsPage } from './pages/ScheduledJobsPage'
import { OrganizationsPage } from './pages/OrganizationsPage'
import { RolesPage } from './pages/RolesPage'
import { UsersPage } from './pages/UsersPage'

/** Whether the user holds a permission (anywhere, or application-wide when asked). */
type May = (permission: string, applicationWide?: boolean) => boolean

interface PageEntry {
  path: string
  label: string
  section: 'Main' | 'Administration'
  /** The permissions (any one of them) that let a user see the page at all. */
  permission: string | string[]
  /** The page's resources belong to the whole application: held in an organization is not enough. */
  applicationWide?: boolean
  /** The page; `route.rest` is what follows its path (an item's id, for a detail view). */
  render: (api: ApiClient, may: May, route: Route) => ReactNode
}

const PAGES: PageEntry[] = [
  {
    path: '/devices',
    label: 'Devices',
    section: 'Main',
    permission: 'devices.read',
    render: (api, may, route) => <DevicesPage api={api} may={may} route={route} />,
  },
  {
    path: '/device-groups',
    label: 'Device groups',
    section: 'Main',
    permission: 'deviceGroups.read',
    render: (api, may, route) => <DeviceGroupsPage api={api} may={may} route={route} />,
  },
  {
    path: '/device-templates',
    label: 'Device templates',
    section: 'Main',
    permission: 'deviceTemplates.read',
    render: (api, may) => <DeviceTemplatesPage api={api} may={may} />,
  },
  {
    path: '/jobs',
    label: 'Jobs',
    section: 'Main',
    permission: 'jobs.read',
    render: (api, may, route) => <JobsPage api={api} may={may} route={route} />,
  },
  {
    path: '/scheduled-jobs',
    label: 'Scheduled jobs',
    section: 'Main',
    permission: 'jobs.read',
    render: (api, may, route) => <ScheduledJobsPage api={api} may={may} route={route} />,
  },
  {
    path: '/admin/users',
    label: 'Users',
    section: 'Administration',
    permission: 'users.read',
    render: (api, may) => <UsersPage api={api} may={may} />,
  },
  {
    path: '/admin/roles',
    label: 'Roles',
    section: 'Administration',
    permission: 'roles.read',
    render: (api, may) => <RolesPage api={api} may={may} />,
  },
  {
    path: '/admin/organizations',
    label: 'Organizations',
    section: 'Administration',
    // Reading the tree is not administration (Operators hold organizations.read); changing it is.
    permission: ['organizations.create', 'organizations.update', 'organizations.delete'],
    render: (api, may) => <OrganizationsPage api={api} may={may} />,
  },
  {
    path: '/admin/api-tokens',
    label: 'API tokens',
    section: 'Administration',
    permission: 'apiTokens.read',
    render: (api, may) => <ApiTokensPage api={api} may={may} />,
  },
  {
    path: '/admin/audit-log',
    label: 'Audit log',
    section: 'Administration',
    permission: 'auditLog.read',
    applicationWide: true,
    render: (api) => <AuditLogPage api={api} />,
  },
  {
    path: '/admin/device-connection-groups',
    label: 'Device connection groups',
    section: 'Administration',
    permission: 'deviceConnectivity.readGlobal',
    applicationWide: true,
    render: (api, may, route) => <EnrollmentGroupsPage api={api} may={may} route={route} />,
  },
]

const allowedPages = (may: May) =>
  PAGES.filter((page) =>
    [page.permission].flat().some((permission) => may(permission, page.applicationWide)),
  )

const under = (page: PageEntry, path: string) =>
  path === page.path || path.startsWith(`${page.path}/`)

/** The page at a path (or one of its detail paths), or the first one the user may see. */
export function pageFor(path: string, may: May): PageEntry | undefined {
  const allowed = allowedPages(may)
  return allowed.find((page) => under(page, path)) ?? allowed[0]
}

export function Navigation({
  path,
  navigate,
  may,
  who,
  onSignOut,
}: {
  path: string
  navigate: (path: string) => void
  may: May
  /** Who is signed in, in words. */
  who: string
  onSignOut: () => void
}) {
  const allowed = allowedPages(may)
  const sections = (['Main', 'Administration'] as const).filter((section) =>
    allowed.some((page) => page.section === section),
  )
  return (
    <nav aria-label="Main">
      <p className="brand">OpenCentral</p>
      <p className="who">{who}</p>
      <button type="button" className="sign-out" onClick={onSignOut}>
        Sign out
      </button>
      {sections.map((section) => (
        <div key={section}>
          {section === 'Administration' ? <h2 className="nav-section">Administration</h2> : null}
          <ul>
            {allowed
              .filter((page) => page.section === section)
              .map((page) => (
                <li key={page.path}>
                  <a
                    href={page.path}
                    aria-current={under(page, path) ? 'page' : undefined}
                    onClick={(event) => {
                      event.preventDefault()
                      navigate(page.path)
                    }}
                  >
                    {page.label}
                  </a>
                </li>
              ))}
          </ul>
        </div>
      ))}
    </nav>
  )
}
