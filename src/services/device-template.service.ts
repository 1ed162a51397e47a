import { conflict, notFound, unprocessable } from '../errors/app-error.js'
import { deviceTemplateRepository } from '../storage/repositories/device-template.repository.js'
import { deviceRepository } from '../storage/repositories/device.repository.js'
import type { DeviceTemplateRow } from '../storage/schema.js'
import type { Store } from '../storage/store.js'
import type { Clock } from '../clock.js'
import { checkEtag, expectedEtag, newEtag } from './etag.js'
import type { Principal } from '../auth/principal.js'
import type { OrganizationCatalog } from './organization-catalog.js'
import { readPage, type Page, type PageRequest } from './paging.js'
import { requireAt } from './scope-checks.js'

/** A Digital Twin Model Identifier (DTDL v2): `dtmi:<segment>(:<segment>)*;<version>`. */
export const DTMI_PATTERN =
  '^dtmi:[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?(?::[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?)*;[1-9][0-9]{0,8}$'
const DTMI = new RegExp(DTMI_PATTERN)

export type DeviceTemplateView = Record<string, unknown> & {
  '@id': string
  '@type': string | string[]
  etag: string
  capabilityModel: Record<string, unknown>
}

/**
 * Device templates belong to the whole application: anyone who may read templates reads them all,
 * but only an application-wide `deviceTemplates.manage` changes them, since every organization's
 * devices depend on them.
 */
export class DeviceTemplateService {
  constructor(
    private readonly store: Store,
    private readonly organizations: OrganizationCatalog,
    private readonly clock: Clock,
  ) {}

  async list(page: PageRequest): Promise<Page<DeviceTemplateView>> {
    return readPage(
      page,
      (after, limit) => deviceTemplateRepository.page(this.store.db, after, limit),
      (rows) => rows.map(toView),
    )
  }

  async get(id: string): Promise<DeviceTemplateView> {
    const row = await deviceTemplateRepository.get(this.store.db, id)
    if (!row) throw notFound(`The device template '${id}'`)
    return toView(row)
  }

  /** Creates (and publishes) the template, or replaces it when it exists. */
  async put(
    caller: Principal | null,
    id: string,
    document: Record<string, unknown>,
    ifMatch?: string,
  ): Promise<DeviceTemplateView> {
    await this.requireManage(caller)
    if (!DTMI.test(id)) {
      throw unprocessable(`deviceTemplateId: '${id}' is not a valid DTMI (e.g. dtmi:contoso:thermostat;1).`)
    }
    if (document['@id'] !== undefined && document['@id'] !== id) {
      throw unprocessable(`@id: is read-only and must be '${id}', the id in the path.`)
    }
    const now = Math.floor(this.clock() / 1000)
    const { etag, '@id': _id, ...content } = document
    const row = await this.store.db.transaction().execute(async (trx) => {
      const current = await deviceTemplateRepository.get(trx, id)
      const expected = expectedEtag(etag, ifMatch)
      if (current || ifMatch) checkEtag(expected, current?.etag ?? null, `The device template '${id}'`)
      const next: DeviceTemplateRow = {
        id,
        display_name: typeof content.displayName === 'string' ? content.displayName : null,
        document: JSON.stringify(content),
        etag: newEtag(),
        created_at: current?.created_at ?? now,
        updated_at: now,
      }
      await deviceTemplateRepository.upsert(trx, next)
      return next
    })
    return toView(row)
  }

  async delete(caller: Principal | null, id: string): Promise<void> {
    await this.requireManage(caller)
    await this.store.db.transaction().execute(async (trx) => {
      if (!(await deviceTemplateRepository.exists(trx, id))) {
        throw notFound(`The device template '${id}'`)
      }
      const users = await deviceRepository.countUsingTemplate(trx, id)
      if (users > 0) {
        throw conflict(
          `The device template '${id}' is used by ${users} device${users === 1 ? '' : 's'}; delete them or move them to another template first.`,
        )
      }
      await deviceTemplateRepository.delete(trx, id)
    })
  }

  private async requireManage(caller: Principal | null): Promise<void> {
    requireAt(await this.organizations.reachOf(caller), 'deviceTemplates.manage', null)
  }
}

function toView(row: DeviceTemplateRow): DeviceTemplateView {
  const document = JSON.parse(row.document) as DeviceTemplateView
  return { ...document, '@id': row.id, etag: row.etag }
}
