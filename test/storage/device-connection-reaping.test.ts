import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openStore } from '../../src/storage/open-store.js'
import { deviceConnectionRepository } from '../../src/storage/repositories/device-connection.repository.js'
import type { Store } from '../../src/storage/store.js'
import { createStore, type TestStore } from '../helpers/cli-store.js'
import { DIALECTS } from '../helpers/dialects.js'

for (const dialect of DIALECTS) {
  describe(`reaping a dead device-plane node (${dialect})`, () => {
    let made: TestStore
    let store: Store
    before(async () => {
      made = await createStore(dialect)
      store = await openStore({ dataDir: made.dataDir, databaseUrl: made.databaseUrl })
    })
    after(async () => {
      await store?.close()
      await made?.remove()
    })

    it("closes its sessions as of its last heartbeat, or as of their opening when they opened after it", async () => {
      const db = store.db
      assert.equal(await deviceConnectionRepository.heartbeat(db, 'dead-node', 900, 1_900), false, 'a new node is not known')
      assert.equal(await deviceConnectionRepository.heartbeat(db, 'dead-node', 1_000, 2_000), true, 'known at its next beat')
      await deviceConnectionRepository.opened(db, { deviceId: 'early', module: '' }, 'dead-node', 500)
      // Opened between the node's last heartbeat and its death.
      await deviceConnectionRepository.opened(db, { deviceId: 'late', module: '' }, 'dead-node', 1_500)
      await deviceConnectionRepository.heartbeat(db, 'live-node', 2_500, 9_000)
      await deviceConnectionRepository.opened(db, { deviceId: 'elsewhere', module: '' }, 'live-node', 2_600)

      assert.equal(await deviceConnectionRepository.reapDeadNodes(db, 3_000), 1)

      const early = await deviceConnectionRepository.get(db, { deviceId: 'early', module: '' }, 3_000)
      const late = await deviceConnectionRepository.get(db, { deviceId: 'late', module: '' }, 3_000)
      const elsewhere = await deviceConnectionRepository.get(db, { deviceId: 'elsewhere', module: '' }, 3_000)
      assert.deepEqual([early?.nodeId, early?.since], [null, 1_000])
      assert.deepEqual([late?.nodeId, late?.since], [null, 1_500])
      assert.deepEqual([elsewhere?.nodeId, elsewhere?.since], ['live-node', 2_600])
      // Forgotten: its next beat finds it unknown, which tells it to record its sessions again.
      assert.equal(await deviceConnectionRepository.heartbeat(db, 'dead-node', 3_100, 4_100), false)
      assert.equal(await deviceConnectionRepository.heartbeat(db, 'live-node', 3_100, 9_500), true)
    })
  })
}
