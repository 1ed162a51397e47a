// autocannon (worker threads) setupRequest: the paths of BENCH_PATHS_FILE in turn, and the
// credentials of BENCH_CREDENTIALS_FILE in turn when it is set.
const { readFileSync } = require('node:fs')

const lines = (file) => (file ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])
const pool = lines(process.env.BENCH_CREDENTIALS_FILE)
const paths = lines(process.env.BENCH_PATHS_FILE)
let nextCredential = Math.floor(Math.random() * Math.max(pool.length, 1))
let nextPath = Math.floor(Math.random() * Math.max(paths.length, 1))

module.exports = (request) => {
  const next = { ...request }
  if (pool.length > 0) {
    nextCredential = (nextCredential + 1) % pool.length
    next.headers = { ...request.headers, authorization: pool[nextCredential] }
  }
  if (paths.length > 0) {
    nextPath = (nextPath + 1) % paths.length
    next.path = paths[nextPath]
  }
  return next
}
