/** A scheduled job's `schedule`, with `start` and `end.date` as epoch milliseconds. */
export interface Schedule {
  start: number
  recurrence?: 'daily' | 'weekly' | 'monthly'
  end?: { type: 'date'; date: number } | { type: 'occurrences'; occurrences: number }
}

const DAY = 86_400_000

/**
 * When occurrence `index` (0-based) of a schedule falls, in UTC. Monthly occurrences keep the
 * start's day of month; in a month without that day (the 31st in April, the 29th in February)
 * they fall on the month's last day, and the next month returns to the start's day.
 */
export function occurrenceAt(schedule: Schedule, index: number): number {
  switch (schedule.recurrence) {
    case undefined:
      return schedule.start
    case 'daily':
      return schedule.start + index * DAY
    case 'weekly':
      return schedule.start + index * 7 * DAY
    case 'monthly': {
      const start = new Date(schedule.start)
      const months = start.getUTCMonth() + index
      const year = start.getUTCFullYear() + Math.floor(months / 12)
      const month = ((months % 12) + 12) % 12
      const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
      return Date.UTC(
        year,
        month,
        Math.min(start.getUTCDate(), lastDay),
        start.getUTCHours(),
        start.getUTCMinutes(),
        start.getUTCSeconds(),
        start.getUTCMilliseconds(),
      )
    }
  }
}

/** The index of the first occurrence at or after `time` (ignoring the end). */
export function firstIndexAtOrAfter(schedule: Schedule, time: number): number {
  if (time <= schedule.start || schedule.recurrence === undefined) return 0
  const elapsed = time - schedule.start
  let index =
    schedule.recurrence === 'daily'
      ? Math.ceil(elapsed / DAY)
      : schedule.recurrence === 'weekly'
        ? Math.ceil(elapsed / (7 * DAY))
        : Math.max(0, Math.floor(elapsed / (31 * DAY)))
  while (index > 0 && occurrenceAt(schedule, index - 1) >= time) index--
  while (occurrenceAt(schedule, index) < time) index++
  return index
}

/**
 * When the next occurrence starts, given how many have started and that none may start before
 * `notBefore`; null when the end is reached. A one-time schedule whose start has passed, and that
 * never ran, runs at once; a recurring one skips the occurrences it missed.
 */
export function nextOccurrence(schedule: Schedule, started: number, notBefore: number): number | null {
  if (schedule.end?.type === 'occurrences' && started >= schedule.end.occurrences) return null
  let time: number
  if (schedule.recurrence === undefined) {
    if (started > 0) return null
    time = schedule.start
  } else {
    time = occurrenceAt(schedule, firstIndexAtOrAfter(schedule, notBefore))
  }
  if (schedule.end?.type === 'date' && time > schedule.end.date) return null
  return time
}
