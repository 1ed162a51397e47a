// The server's own permission catalogue and built-in role ids, bundled at build time: the UI
// offers exactly what the API accepts.
export { CATALOGUE, withDependencies, type Permission } from '../../../src/authz/permissions.js'
export { ROLE_IDS } from '../../../src/authz/builtin-roles.js'
