import { useState, type ChangeEvent } from 'react'
import { ApiError, type ApiClient } from '../api/client'
import { segment } from '../api/paths'
import type { SigningCertificate } from '../api/types'
import { ErrorMessage } from '../components/ErrorMessage'
import { CopyField } from '../components/SecretField'
import { useLoad } from '../components/useLoad'

type Entry = 'primary' | 'secondary'

/** A certificate file's content as the API takes it: PEM's base64 body, or base64 of DER bytes. */
export async function certificateText(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  const text = new TextDecoder().decode(bytes)
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text)
  if (pem) return (pem[1] as string).replace(/\s+/g, '')
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * One of a group's two signing certificates: upload it, prove possession of its key (a
 * verification code to sign, then the signed certificate), and its verified state and thumbprint.
 */
export function SigningCertificatePanel({
  api,
  groupId,
  entry,
  mayManage,
}: {
  api: ApiClient
  groupId: string
  entry: Entry
  mayManage: boolean
}) {
  const path = `/enrollmentGroups/${segment(groupId)}/certificates/${entry}`
  const { data, error, reload } = useLoad(async () => {
    try {
      return await api.get<SigningCertificate>(path)
    } catch (reason) {
      if (reason instanceof ApiError && reason.status === 404) return null
      throw reason
    }
  })
  const [code, setCode] = useState<string | null>(null)
  const [actionError, setActionError] = useState<unknown>(null)
  const title = entry === 'primary' ? 'Primary' : 'Secondary'

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action()
      setActionError(null)
      reload()
    } catch (reason) {
      setActionError(reason)
    }
  }
  const fileOf = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    event.target.value = ''
    return file
  }
  const upload = (event: ChangeEvent<HTMLInputElement>) => {
    const file = fileOf(event)
    if (!file) return
    void act(async () => {
      await api.put(path, { certificate: await certificateText(file) })
      setCode(null)
    })
  }
  const verify = (event: ChangeEvent<HTMLInputElement>) => {
    const file = fileOf(event)
    if (!file) return
    void act(async () => {
      await api.post(`${path}/verify`, { certificate: await certificateText(file) })
      setCode(null)
    })
  }
  const generate = () =>
    void act(async () => {
      const answer = await api.post<{ verificationCode: string }>(
        `${path}/generateVerificationCode`,
      )
      setCode(answer.verificationCode)
    })

  return (
    <section className="panel" aria-label={`${title} certificate`}>
      <h3>{title} certificate</h3>
      <ErrorMessage error={error ?? actionError} />
      {data === null ? <p>No certificate yet.</p> : null}
      {data ? (
        <dl className="facts">
          <dt>State</dt>
          <dd>
            {data.verified ? (
              <span className="badge ok">Verified</span>
            ) : (
              <span className="badge pending">Not verified</span>
            )}
          </dd>
          <dt>Thumbprint (SHA-1)</dt>
          <dd className="mono">{data.info?.sha1Thumbprint ?? ''}</dd>
        </dl>
      ) : null}
      {mayManage ? (
        <div className="actions wrap">
          <label className="file-button">
            {data ? `Replace the ${entry} certificate` : `Upload a ${entry} certificate`}
            <input type="file" accept=".pem,.cer,.crt,.der" onChange={upload} />
          </label>
          {data && !data.verified ? (
            <button type="button" className="secondary" onClick={generate}>
              Generate verification code
            </button>
          ) : null}
        </div>
      ) : null}
      {code && data && !data.verified ? (
        <>
          <CopyField id={`${entry}-verification-code`} label="Verification code" value={code} />
          <p>
            Sign a certificate whose subject is this code with the key of the certificate above,
            then upload it.
          </p>
          <label className="file-button">
            Upload the verification certificate
            <input type="file" accept=".pem,.cer,.crt,.der" onChange={verify} />
          </label>
        </>
      ) : null}
    </section>
  )
}
