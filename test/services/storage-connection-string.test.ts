import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AppError } from '../../src/errors/app-error.js'
import {
  containerNameProblem,
  durationSeconds,
  maskConnectionString,
  parseConnectionString,
} from '../../src/services/storage-connection-string.js'

const KEY = Buffer.alloc(64, 7).toString('base64')

const refused = (text: string, message: RegExp) =>
  assert.throws(
    () => parseConnectionString(text),
    (error: unknown) => error instanceof AppError && error.status === 422 && message.test(error.message),
  )

describe('Azure Storage connection strings', () => {
  it('reads the account form, with defaults for the blob endpoint, keys in any case, a trailing ;', () => {
    const parsed = parseConnectionString(`defaultendpointsprotocol=https;ACCOUNTNAME=acct1;AccountKey=${KEY};`)
    assert.equal(parsed.accountName, 'acct1')
    assert.equal(parsed.accountKey, KEY)
    assert.equal(parsed.blobEndpoint, 'https://acct1.blob.core.windows.net')
    assert.equal(maskConnectionString(parsed.entries), 'DefaultEndpointsProtocol=https;AccountName=acct1;AccountKey=*****')
    const sovereign = parseConnectionString(`AccountName=acct1;AccountKey=${KEY};EndpointSuffix=core.chinacloudapi.cn`)
    assert.equal(sovereign.blobEndpoint, 'https://acct1.blob.core.chinacloudapi.cn')
  })

  it('reads a shared access signature with an explicit endpoint (values may hold =)', () => {
    const parsed = parseConnectionString('BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;SharedAccessSignature=?sv=2022-11-02&sig=a%2Bb=')
    assert.equal(parsed.sharedAccessSignature, '?sv=2022-11-02&sig=a%2Bb=')
    assert.equal(parsed.blobEndpoint, 'http://127.0.0.1:10000/devstoreaccount1')
    assert.equal(maskConnectionString(parsed.entries), 'BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;SharedAccessSignature=*****')
  })

  it('refuses what Azure Storage would not accept, never quoting a value', () => {
    refused('', /is empty/)
    refused('AccountName', /key=value pairs/)
    refused(`AccountName=acct1;AccountKey=${KEY};Secret=x`, /'Secret' is not a known/)
    refused('SharedAccessSignature=sv=1', /needs sv and sig/)
    refused(`AccountName=acct1;AccountKey=${KEY.slice(1)}`, /^connectionString: AccountKey is not a base64 storage account key\.$/)
    refused('SharedAccessSignature=sv=1&sig=2', /needs AccountName or BlobEndpoint/)
  })

  it('checks container names and SAS lifetimes', () => {
    assert.equal(containerNameProblem('uploads-2026'), null)
    assert.match(containerNameProblem('up_loads') ?? '', /lowercase/)
    assert.equal(durationSeconds('PT1H'), 3600)
    assert.equal(durationSeconds('P1DT30M'), 88200)
    assert.equal(durationSeconds('P2W'), 1209600)
    for (const bad of ['P', 'PT', '1H', 'PT1.5H', 'P1Y']) assert.equal(durationSeconds(bad), null, bad)
  })
})
