import type { CommandContext } from '../command.js'
import { printData } from '../data-output.js'
import { table, UsageError } from '../output.js'
import { withServices } from '../store-session.js'
import type { AuditLogView } from '../../services/audit-log.service.js'

const PAGE = 100

export async function auditList(context: CommandContext) {
  const { args, flags, env, output } = context
  if (args.length > 0) throw new UsageError('audit takes no arguments')
  const limit = flags.limit === undefined ? PAGE : Number(flags.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
    throw new UsageError(`--limit: '${flags.limit}' is not a whole number from 1 to 100000`)
  }
  const query = { from: flags.from, to: flags.to, actor: flags.actor, action: flags.action }
  return withServices(flags, env, output, async (services) => {
    const records: AuditLogView[] = []
    let after: string | null = null
    do {
      const page = await services.auditLogs.list(null, query, { after, limit: Math.min(PAGE, limit - records.length) })
      records.push(...page.items)
      after = page.next
    } while (after !== null && records.length < limit)
    printData(context, records, () => table(
      output,
      ['TIME', 'ACTOR', 'ACTION', 'TARGET', 'FROM', 'OUTCOME', 'COUNT'],
      records.map((r) => [
        r.time,
        r.actor.id === undefined ? r.actor.type : `${r.actor.type}:${r.actor.id}`,
        r.action,
        r.target ?? '',
        r.clientAddress ?? '',
        r.status === undefined ? r.outcome : `${r.outcome} (${r.status})`,
        String(r.count),
      ]),
    ))
    return 0
  })
}
