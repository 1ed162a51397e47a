import { incompatibilities, readTemplateModel } from '../device-models/capability-model.js'
import { conflict, notFound, unprocessable } from '../errors/app-error.js'
import type { Executor } from '../storage/repositories/executor.js'
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
/**
 * The model ids of IoT Central's DTDL v1 templates (`urn:<namespace>:<name>[:<version>]`), which
 * applications made before DTDL v2 still hold and IoT Central's own job examples target.
 */
export const LEGACY_MODEL_ID_PATTERN = '^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}){1,8}$'
const LEGACY_MODEL_ID = new RegExp(LEGACY_MODEL_ID_PATTERN)

/** Whether `id` may name a device template: a DTMI, or a DTDL v1 `urn:` model id. */
export const isTemplateId = (id: string): boolean => DTMI.test(id) || LEGACY_MODEL_ID.test(id)

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
    if (!isTemplateId(id)) {
      throw unprocessable(
        `deviceTemplateId: '${id}' is not a valid DTMI (e.g. dtmi:contoso:thermostat;1) nor a DTDL v1 model id (urn:contoso:thermostat:1).`,
      )
    }
    if (document['@id'] !== undefined && document['@id'] !== id) {
      throw unprocessable(`@id: is read-only and must be '${id}', the id in the path.`)
    }
    const now = Math.floor(this.clock() / 1000)
    const { etag, '@id': _id, ...content } = document
    const row = await this.store.db.transaction().execute(async (trx) => {
      const current = await deviceTemplateRepository.get(trx, id)
      const expected = expectedEtag(unquote(etag), ifMatch)
      if (current || ifMatch) checkEtag(expected, current?.etag ?? null, `The device template '${id}'`)
      if (current) await checkCompatible(trx, id, JSON.parse(current.document), content)
      return this.save(trx, id, content, current?.created_at ?? now, now)
    })
    return toView(row)
  }

  /**
   * Applies a JSON merge patch to the template: `displayName`, `description`, the capability
   * model (its cloud properties among its contents) and any other member (display overrides) are
   * kept as merged. `@type` and `capabilityModel` must remain.
   */
  async patch(
    caller: Principal | null,
    id: string,
    patch: Record<string, unknown>,
    ifMatch?: string,
  ): Promise<DeviceTemplateView> {
    await this.requireManage(caller)
    if (patch['@id'] !== undefined && patch['@id'] !== id) {
      throw unprocessable(`@id: is read-only and must be '${id}', the id in the path.`)
    }
    const now = Math.floor(this.clock() / 1000)
    const { etag, '@id': _id, ...changes } = patch
    const row = await this.store.db.transaction().execute(async (trx) => {
      const current = await deviceTemplateRepository.get(trx, id)
      if (!current) throw notFound(`The device template '${id}'`)
      checkEtag(expectedEtag(unquote(etag), ifMatch), current.etag, `The device template '${id}'`)
      const before = JSON.parse(current.document) as Record<string, unknown>
      const content = mergePatch(before, changes) as Record<string, unknown>
      checkDocument(content)
      await checkCompatible(trx, id, before, content)
      return this.save(trx, id, content, current.created_at, now)
    })
    return toView(row)
  }

  private async save(
    trx: Executor,
    id: string,
    content: Record<string, unknown>,
    createdAt: number,
    now: number,
  ): Promise<DeviceTemplateRow> {
    const next: DeviceTemplateRow = {
      id,
      display_name: typeof content.displayName === 'string' ? content.displayName : null,
      document: JSON.stringify(content),
      etag: newEtag(),
      created_at: createdAt,
      updated_at: now,
    }
    await deviceTemplateRepository.upsert(trx, next)
    return next
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

/** RFC 7396: objects merge member by member, `null` removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

/** A body etag may be sent quoted, as IoT Central shows it. */
function unquote(etag: unknown): unknown {
  return typeof etag === 'string' ? etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1') : etag
}

/** What a patch must leave: the members PUT requires, of the types it accepts. */
function checkDocument(content: Record<string, unknown>): void {
  const type = content['@type']
  const typeOk =
    (typeof type === 'string' && type !== '') ||
    (Array.isArray(type) && type.length > 0 && type.every((t) => typeof t === 'string' && t !== ''))
  if (!typeOk) throw unprocessable('@type: is required (a string or an array of strings).')
  const model = content.capabilityModel
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    throw unprocessable('capabilityModel: is required (an object).')
  }
  for (const member of ['displayName', 'description']) {
    const value = content[member]
    if (value === undefined || typeof value === 'string') continue
    const localized =
      typeof value === 'object' && value !== null && !Array.isArray(value) &&
      Object.values(value).every((text) => typeof text === 'string')
    if (!localized) throw unprocessable(`${member}: must be a string or an object of localized strings.`)
  }
}

/**
 * 409 when devices use the template and the new capability model breaks them: a capability,
 * component, module or relationship removed, or a schema changed. Adding is compatible.
 */
async function checkCompatible(
  trx: Executor,
  id: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Promise<void> {
  const problems = incompatibilities(readTemplateModel(before), readTemplateModel(after))
  if (problems.length === 0) return
  const users = await deviceRepository.countUsingTemplate(trx, id)
  if (users === 0) return
  const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '')
  throw conflict(
    `The device template '${id}' is used by ${users} device${users === 1 ? '' : 's'}, and this change would break them: ${shown}. Add capabilities instead, or publish the change as a new template version.`,
  )
}

function toView(row: DeviceTemplateRow): DeviceTemplateView {
  const document = JSON.parse(row.document) as DeviceTemplateView
  return { ...document, '@id': row.id, etag: row.etag }
}
