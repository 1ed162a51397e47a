import { APPLICATION_WIDE_AREAS, BUILTIN_ROLES } from './builtin-roles.js'
import { CATALOGUE } from './permissions.js'

/** The permission catalogue and what each built-in role holds (docs/permissions.md). */
export function permissionsMarkdown(): string {
  const header = `| Area | Permission | ${BUILTIN_ROLES.map((r) => r.displayName).join(' | ')} |`
  const rule = `|---|---|${BUILTIN_ROLES.map(() => '---|').join('')}`
  const rows = Object.entries(CATALOGUE).flatMap(([area, actions]) =>
    actions.map((action) => {
      const permission = `${area}.${action}`
      const marks = BUILTIN_ROLES.map((r) => (r.permissions.has(permission as never) ? '✓' : ''))
      return `| ${area} | \`${permission}\` | ${marks.join(' | ')} |`
    }),
  )
  return [
    '# Permissions',
    '',
    '<!-- Generated from src/authz/ by `npm run docs:generate`; do not edit by hand. -->',
    '',
    "A permission is `<area>.<action>`; the areas follow IoT Central's custom-role editor. A role is a set of permissions, closed under their dependencies: every action of an area implies the area's `read`; `devices.read` implies `deviceTemplates.read` and `deviceGroups.read`; `devices.executeCommands` implies `devices.update`; `deviceGroups.create` implies `deviceGroups.update`; `jobs.execute` implies `jobs.update`, `devices.update` and `devices.executeCommands`; `users.read` and `apiTokens.read` imply `roles.read`.",
    '',
    `Application roles apply to the whole application. Organization roles apply to one organization and everything below it, and never reach the application-wide areas (${APPLICATION_WIDE_AREAS.map((a) => `\`${a}\``).join(', ')}): a custom organization role that lists one is refused, and a dependency that points there (\`users.read\` ⇒ \`roles.read\`) is left out of an organization role.`,
    '',
    'Areas whose routes exist today: `apiTokens`, `roles`, `users`, `organizations`, `devices` (with `devices.executeCommands` for commands), `deviceTemplates`, `deviceGroups`, `deviceConnectivity` (`readGlobal`/`manageGlobal`: enrollment groups and their certificates; `readInstance`/`manageInstance`: a device\'s attestation and credentials), `jobs` (jobs and scheduled jobs; creating a job also needs `jobs.execute`, since it starts at once), `fileUpload` and `auditLog` (`auditLog.read`: `GET /api/auditLogs`, the web application\'s Audit log page; application-wide, held by Administrator only among the built-in roles; rotating an API token needs `apiTokens.create`). The others are part of the catalogue so that roles written now keep their meaning as the API grows.',
    '',
    'The organization roles (Org Admin, Org Operator, Org Viewer) exist once the first organization has been created.',
    '',
    header,
    rule,
    ...rows,
    '',
  ].join('\n')
}
