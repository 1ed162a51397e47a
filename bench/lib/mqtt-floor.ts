import { startFloorServer } from './floor-server.js'
import { connectDevices, floodDevices, startWorkers, stopWorkers, type ConnectOrder } from './device-workers.js'
import { stopProcess } from './processes.js'

export interface FloorRun extends Omit<ConnectOrder, 'endpoint'> {
  dataDir: string
  ca: string
  workers: number
  seconds: number
  inFlight: number
}

/**
 * The same devices, simulator processes and flood as against OpenCentral, against the bare MQTT
 * server of bench/mqtt-floor-server.ts (same certificate, same core): the messages per second
 * and CPU per message of TLS and MQTT framing alone, to read OpenCentral's against.
 */
export async function mqttFloor(run: FloorRun) {
  const { server, port } = await startFloorServer('bench/mqtt-floor-server.ts', run.dataDir)
  const workers = startWorkers(run.workers)
  try {
    const endpoint = { host: '127.0.0.1', port, ca: run.ca }
    const connected = await connectDevices(workers, server.pid, { endpoint, hub: run.hub, groupKey: run.groupKey, ids: run.ids, concurrency: run.concurrency })
    // The same pause as against OpenCentral between connecting and flooding.
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const flood = await floodDevices(workers, server.pid, run.seconds, run.inFlight)
    return { connected, flood }
  } finally {
    await stopWorkers(workers)
    await stopProcess(server)
  }
}
