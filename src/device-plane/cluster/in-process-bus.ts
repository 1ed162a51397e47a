import { BusListeners, type BusListener, type BusMessage, type DeviceBus } from './device-bus.js'

/**
 * One node alone (SQLite without Redis): there is nobody to tell, so messages go nowhere. A
 * device is always on this node when it is connected at all.
 */
export class InProcessBus implements DeviceBus {
  readonly kind = 'in-process' as const
  private readonly listeners: BusListeners

  constructor(nodeId: string) {
    this.listeners = new BusListeners(nodeId)
  }

  async send(to: string | null, message: BusMessage): Promise<void> {
    this.listeners.deliver({ to, message })
  }

  subscribe(listener: BusListener): () => void {
    return this.listeners.add(listener)
  }

  async close(): Promise<void> {}
}
