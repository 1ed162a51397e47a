import { Aedes, type AuthenticateError, type Client } from 'aedes'
import { X509Certificate } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import type { FastifyBaseLogger } from 'fastify'
import {
  isProvisioningClientOf,
  mayPublishProvisioning,
  maySubscribeProvisioning,
  provisioningClientId,
  type ProvisioningOverMqtt,
  type ProvisioningSession,
} from '../provisioning/dps-mqtt.js'
import { parseConnectUsername } from './connect-identity.js'
import type { ConnectThrottle } from './connect-throttle.js'
import { type DeviceAuthenticator, type DeviceProof } from './device-authenticator.js'
import { deviceSessions, type DeviceSession } from './device-session.js'
import { MAX_MESSAGE_BYTES, mayPublish, maySubscribe } from './topic-rules.js'

const SERVER_UNAVAILABLE = 3

/** Handles what an authenticated device publishes; resolves when the message may be acknowledged. */
export type DevicePublishHandler = (
  client: Client,
  session: DeviceSession,
  packet: Parameters<Aedes['authorizePublish']>[1],
) => Promise<void>

export interface DeviceBrokerOptions {
  authenticator: DeviceAuthenticator
  /** Limits CONNECTs per client address; null when the throttle is off. */
  throttle: ConnectThrottle | null
  log: FastifyBaseLogger
  /** Set once the handler exists (it needs the links, which need the broker). */
  onPublish: () => DevicePublishHandler
  /** Device provisioning (DPS) clients on the same listener. */
  provisioning: ProvisioningOverMqtt
}

/**
 * The Aedes broker devices connect to: in-memory persistence (sessions of clean-session-0 clients
 * keep their subscriptions across reconnects, as IoT Hub's do), device authentication on CONNECT,
 * and IoT Hub's topic rules on every PUBLISH and SUBSCRIBE.
 */
export async function createDeviceBroker(options: DeviceBrokerOptions): Promise<Aedes> {
  const { authenticator, throttle, log } = options
  const broker = await Aedes.createBroker({ heartbeatInterval: 60_000 })
  const registrations = new WeakMap<Client, ProvisioningSession>()

  // A registration's session gets a client id of its own, so that it never takes over (and is
  // never taken over by) the session of the device it registers.
  broker.preConnect = (_client, packet, done) => {
    const identity = parseConnectUsername(packet.username, packet.clientId)
    if (identity?.kind === 'provisioning' && packet.clientId === identity.registrationId) {
      packet.clientId = provisioningClientId(identity.registrationId)
      packet.clean = true
    }
    done(null, true)
  }

  broker.authenticate = (client, username, password, done) => {
    const address = remoteAddressOf(client)
    const refuse = (returnCode: number, reason: string, deviceId?: string) => {
      if (throttle && returnCode !== SERVER_UNAVAILABLE) throttle.refused(address)
      log.warn({ deviceId, clientId: client.id, address, reason, returnCode }, 'device connection refused')
      done(Object.assign(new Error(reason), { returnCode }) as AuthenticateError, false)
    }
    if (throttle && !throttle.tryConnect(address)) return refuse(SERVER_UNAVAILABLE, 'too many connection attempts')
    const identity = parseConnectUsername(username, client.id)
    if (!identity) return refuse(4, 'the username or client id does not name a device')
    const chain = password !== undefined && password.length > 0 ? [] : clientCertificates(client)
    if (identity.kind === 'provisioning') {
      const { idScope, registrationId } = identity
      if (!isProvisioningClientOf(client.id, registrationId)) {
        return refuse(4, 'the client id is not the registration id', registrationId)
      }
      const session: ProvisioningSession = {
        idScope,
        registrationId,
        proof: chain.length > 0 ? { kind: 'x509', chain } : { kind: 'sas', authorization: password?.toString('utf8') ?? '' },
      }
      options.provisioning.admits(session).then(
        (admitted) => {
          if (!admitted) return refuse(5, 'registration credentials refused', registrationId)
          registrations.set(client, session)
          done(null, true)
        },
        (error: unknown) => {
          log.error({ err: error, registrationId }, 'registration authentication failed')
          refuse(SERVER_UNAVAILABLE, 'authentication could not be completed', registrationId)
        },
      )
      return
    }
    if (identity.module !== null) return refuse(5, 'modules cannot connect', identity.deviceId)
    const proof: DeviceProof | null =
      chain.length > 0
        ? { kind: 'x509', chain }
        : password !== undefined && password.length > 0
          ? { kind: 'sas', token: password.toString('utf8') }
          : null
    if (!proof) return refuse(4, 'no SAS token and no client certificate', identity.deviceId)
    authenticator.authenticate(identity.hostName, identity.deviceId, proof).then(
      (result) => {
        if (!result.accepted) return refuse(result.returnCode, result.reason, identity.deviceId)
        deviceSessions.attach(client, {
          deviceId: identity.deviceId,
          module: identity.module,
          hostName: identity.hostName,
          source: result.source,
          proof,
        })
        log.debug({ deviceId: identity.deviceId, address, via: proof.kind }, 'device connected')
        done(null, true)
      },
      (error: unknown) => {
        log.error({ err: error, deviceId: identity.deviceId }, 'device authentication failed')
        refuse(SERVER_UNAVAILABLE, 'authentication could not be completed', identity.deviceId)
      },
    )
  }

  broker.authorizePublish = (client, packet, done) => {
    const registration = client ? registrations.get(client) : undefined
    if (client && registration) {
      if (packet.payload.length > MAX_MESSAGE_BYTES || !mayPublishProvisioning(packet.topic)) {
        log.warn({ registrationId: registration.registrationId, topic: packet.topic.slice(0, 200) }, 'registration publish refused; disconnected')
        return done(new Error('topic not allowed'))
      }
      packet.retain = false
      options.provisioning.handle(client, registration, packet).then(
        () => done(null),
        (error: unknown) => {
          log.error({ err: error, registrationId: registration.registrationId }, 'registration request failed')
          done(error as Error)
        },
      )
      return
    }
    const session = deviceSessions.of(client)
    if (!client || !session) return done(new Error('not a device session'))
    const refuse = (reason: string) => {
      log.warn({ deviceId: session.deviceId, topic: packet.topic.slice(0, 200), reason }, 'device publish refused; disconnected')
      done(new Error(reason))
    }
    if (packet.payload.length > MAX_MESSAGE_BYTES) return refuse(`message larger than ${MAX_MESSAGE_BYTES} bytes`)
    if (!mayPublish(session.deviceId, session.module, packet.topic)) return refuse('topic not allowed')
    // Nothing a device sends is kept for later subscribers.
    packet.retain = false
    options
      .onPublish()(client, session, packet)
      .then(
        () => done(null),
        (error: unknown) => {
          log.error({ err: error, deviceId: session.deviceId }, 'device message could not be handled')
          done(error as Error)
        },
      )
  }

  broker.authorizeSubscribe = (client, subscription, done) => {
    if (registrations.has(client)) {
      if (maySubscribeProvisioning(subscription.topic)) return done(null, subscription)
      log.warn({ topic: subscription.topic.slice(0, 200) }, 'registration subscription refused; disconnected')
      return done(new Error('subscription not allowed'), null)
    }
    const session = deviceSessions.of(client)
    if (!session || !maySubscribe(session.deviceId, session.module, subscription.topic)) {
      log.warn(
        { deviceId: session?.deviceId, topic: subscription.topic.slice(0, 200) },
        'device subscription refused; disconnected',
      )
      return done(new Error('subscription not allowed'))
    }
    done(null, subscription)
  }

  broker.on('clientError', (client, error) => {
    log.debug({ clientId: client.id, err: error }, 'device session error')
  })
  broker.on('connectionError', (client, error) => {
    log.debug({ clientId: client.id, err: error }, 'device connection error')
  })
  return broker
}

/** Where the client connects from; for WebSockets, the upgraded HTTP socket's peer. */
export function remoteAddressOf(client: Client): string {
  const socket = (client.req?.socket ?? client.conn) as { remoteAddress?: string }
  return socket.remoteAddress ?? 'unknown'
}

/** The certificates the client presented in its TLS handshake, leaf first, PEM (none: empty). */
function clientCertificates(client: Client): string[] {
  const socket = (client.req?.socket ?? client.conn) as Partial<TLSSocket>
  if (typeof socket.getPeerCertificate !== 'function') return []
  const chain: string[] = []
  let certificate = socket.getPeerCertificate(true)
  while (certificate && certificate.raw && chain.length < 10) {
    chain.push(new X509Certificate(certificate.raw).toString())
    const issuer = certificate.issuerCertificate
    if (!issuer || issuer === certificate || issuer.raw?.equals(certificate.raw)) break
    certificate = issuer
  }
  return chain
}
