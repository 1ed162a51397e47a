import path from 'node:path'
import { cliConfig } from '../cli-config.js'
import { createDevCertificates } from '../../tls/dev-certificates.js'
import type { CommandContext } from '../command.js'

export async function certCreate({ flags, lists, switches, env, output }: CommandContext) {
  const config = cliConfig({ data: flags.data, config: flags.config }, env)
  const hosts = lists.host ?? []
  const paths = await createDevCertificates(config.dataDir, hosts)
  const ca = path.resolve(paths.caCert)
  if (switches.has('json')) {
    output.out(JSON.stringify({ ca, cert: path.resolve(paths.cert), key: path.resolve(paths.key) }))
    return 0
  }
  const names = ['localhost', '127.0.0.1', '::1', ...hosts].join(', ')
  output.out(`Created a development server certificate for ${names}.`)
  output.out(`  certificate authority: ${ca}`)
  output.out(`  server certificate:    ${path.resolve(paths.cert)}`)
  output.out(`  server key:            ${path.resolve(paths.key)}`)
  output.out('')
  output.out('Serve HTTPS with it:')
  output.out(`  npx opencentral start --tls-dev${config.dataDir === './data' ? '' : ` --data ${config.dataDir}`}`)
  output.out('Trust the authority in Node.js programs (@azure/identity, fetch, …):')
  output.out(`  NODE_EXTRA_CA_CERTS=${ca} node your-program.js`)
  output.out('Trust it system-wide (Debian, Ubuntu):')
  output.out(`  sudo cp ${ca} /usr/local/share/ca-certificates/opencentral-dev.crt && sudo update-ca-certificates`)
  return 0
}
