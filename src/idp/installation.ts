import { randomBytes, randomUUID } from 'node:crypto'
import { idpSettingRepository } from '../storage/repositories/idp-setting.repository.js'
import type { Store } from '../storage/store.js'

export interface Installation {
  /** The `tid` of every token this installation issues. */
  tenantId: string
  /** Keys that sign the provider's cookies, shared by every node of the installation. */
  cookieKeys: string[]
}

/**
 * Gives the installation its identity on first start and reads it afterwards. Nodes starting at
 * the same time agree: the first value written is the one everyone reads back.
 */
export async function ensureInstallation(store: Store): Promise<Installation> {
  await idpSettingRepository.insertIfAbsent(store.db, 'tenantId', randomUUID())
  await idpSettingRepository.insertIfAbsent(
    store.db,
    'cookieKeys',
    JSON.stringify([randomBytes(32).toString('base64url')]),
  )
  const tenantId = await idpSettingRepository.get(store.db, 'tenantId')
  const cookieKeys = await idpSettingRepository.get(store.db, 'cookieKeys')
  if (!tenantId || !cookieKeys)
    throw new Error('the identity provider settings could not be read back')
  return { tenantId, cookieKeys: JSON.parse(cookieKeys) as string[] }
}
