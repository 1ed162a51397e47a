import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { occurrenceJobId } from '../../src/jobs/occurrences.js'
import { firstIndexAtOrAfter, nextOccurrence, occurrenceAt, type Schedule } from '../../src/jobs/recurrence.js'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

describe('recurrence (UTC)', () => {
  it('steps daily and weekly from the start', () => {
    const daily: Schedule = { start: at('2026-03-28T22:30:00Z'), recurrence: 'daily' }
    assert.equal(iso(occurrenceAt(daily, 2)), '2026-03-30T22:30:00.000Z')
    const weekly: Schedule = { start: at('2026-12-28T08:00:00Z'), recurrence: 'weekly' }
    assert.equal(iso(occurrenceAt(weekly, 1)), '2027-01-04T08:00:00.000Z')
  })

  it('keeps the day of month, falling on the last day of shorter months and coming back', () => {
    const monthly: Schedule = { start: at('2027-01-31T09:15:00Z'), recurrence: 'monthly' }
    assert.deepEqual(
      [0, 1, 2, 3, 12, 13].map((i) => iso(occurrenceAt(monthly, i))),
      [
        '2027-01-31T09:15:00.000Z',
        '2027-02-28T09:15:00.000Z',
        '2027-03-31T09:15:00.000Z',
        '2027-04-30T09:15:00.000Z',
        '2028-01-31T09:15:00.000Z',
        '2028-02-29T09:15:00.000Z',
      ],
    )
  })

  it('finds the first occurrence at or after a time', () => {
    const daily: Schedule = { start: at('2026-01-01T00:00:00Z'), recurrence: 'daily' }
    assert.equal(firstIndexAtOrAfter(daily, at('2025-06-01T00:00:00Z')), 0)
    assert.equal(firstIndexAtOrAfter(daily, at('2026-01-03T00:00:00Z')), 2)
    assert.equal(firstIndexAtOrAfter(daily, at('2026-01-03T00:00:01Z')), 3)
    const monthly: Schedule = { start: at('2026-01-31T00:00:00Z'), recurrence: 'monthly' }
    assert.equal(iso(occurrenceAt(monthly, firstIndexAtOrAfter(monthly, at('2026-02-15T00:00:00Z')))), '2026-02-28T00:00:00.000Z')
    assert.equal(iso(occurrenceAt(monthly, firstIndexAtOrAfter(monthly, at('2026-03-01T00:00:00Z')))), '2026-03-31T00:00:00.000Z')
  })

  it('ends after a number of occurrences or at a date', () => {
    const start = at('2026-01-01T06:00:00Z')
    const counted: Schedule = { start, recurrence: 'daily', end: { type: 'occurrences', occurrences: 2 } }
    assert.equal(iso(nextOccurrence(counted, 0, start - 1)), '2026-01-01T06:00:00.000Z')
    assert.equal(iso(nextOccurrence(counted, 1, start + 1)), '2026-01-02T06:00:00.000Z')
    assert.equal(nextOccurrence(counted, 2, start + 86_400_001), null)
    const dated: Schedule = { start, recurrence: 'weekly', end: { type: 'date', date: at('2026-01-15T06:00:00Z') } }
    assert.equal(iso(nextOccurrence(dated, 2, at('2026-01-08T06:00:01Z'))), '2026-01-15T06:00:00.000Z')
    assert.equal(nextOccurrence(dated, 3, at('2026-01-15T06:00:01Z')), null)
  })

  it('runs a one-time schedule once, at once when its start has passed', () => {
    const once: Schedule = { start: at('2026-01-01T00:00:00Z') }
    assert.equal(iso(nextOccurrence(once, 0, at('2026-06-01T00:00:00Z'))), '2026-01-01T00:00:00.000Z')
    assert.equal(nextOccurrence(once, 1, at('2026-06-01T00:00:00Z')), null)
  })

  it('skips the occurrences a recurring schedule missed', () => {
    const daily: Schedule = { start: at('2026-01-01T00:00:00Z'), recurrence: 'daily' }
    assert.equal(iso(nextOccurrence(daily, 1, at('2026-01-05T12:00:00Z'))), '2026-01-06T00:00:00.000Z')
  })

  it('names occurrence jobs after their scheduled job, within 255 characters', () => {
    assert.equal(occurrenceJobId('nightly', 3), 'nightly-3')
    const long = 'x'.repeat(255)
    const id = occurrenceJobId(long, 12)
    assert.equal(id.length, 255)
    assert.match(id, /^x+-[0-9a-f]{16}-12$/)
    assert.notEqual(occurrenceJobId(`${'x'.repeat(254)}y`, 12), id)
  })
})
