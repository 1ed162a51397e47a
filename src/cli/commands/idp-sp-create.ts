import { readFileSync } from 'node:fs'
import type { CommandContext } from '../command.js'
import { UsageError } from '../output.js'
import { withIdp } from '../idp-session.js'

export async function idpSpCreate({ args, flags, switches, env, output }: CommandContext) {
  const [name] = args
  if (!name || args.length > 1) throw new UsageError('idp sp create takes exactly one name')
  const certFile = typeof flags.cert === 'string' ? flags.cert : undefined
  if (certFile !== undefined && flags['end-date'] !== undefined) {
    throw new UsageError('--end-date is for a password; a certificate ends when it expires')
  }
  let pem: string | undefined
  if (certFile !== undefined) {
    try {
      pem = readFileSync(certFile, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read the certificate ${certFile}: ${(error as Error).message}`)
    }
  }
  return withIdp(flags, env, output, async (idp) => {
    if (pem !== undefined) {
      const created = await idp.servicePrincipals.createWithCertificate(name, pem)
      const { appId, displayName, objectId, tenant, certificate } = created
      if (switches.has('json')) {
        output.out(JSON.stringify({ appId, displayName, objectId, tenant, certificate }))
        return 0
      }
      output.err(`Created service principal '${displayName}' with a certificate credential.`)
      output.out(`appId:      ${appId}`)
      output.out(`tenant:     ${tenant}`)
      output.out(`objectId:   ${objectId}`)
      output.out(`thumbprint: ${certificate.thumbprint}`)
      return 0
    }
    const endDate = typeof flags['end-date'] === 'string' ? flags['end-date'] : undefined
    const created = await idp.servicePrincipals.create(name, endDate ? { endDate } : {})
    const { appId, displayName, objectId, password, tenant, passwordEndDate } = created
    if (switches.has('json')) {
      output.out(
        JSON.stringify({ appId, displayName, objectId, password, tenant, passwordEndDate }),
      )
      return 0
    }
    output.err(
      `Created service principal '${displayName}'. Copy its password now: it is shown only once.`,
    )
    output.out(`appId:    ${appId}`)
    output.out(`password: ${password}`)
    output.out(`tenant:   ${tenant}`)
    output.out(`objectId: ${objectId}`)
    if (passwordEndDate) output.out(`endDate:  ${passwordEndDate}`)
    return 0
  })
}
