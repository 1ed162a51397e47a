/** One CSV record: its fields, and the line of the file it starts on (1-based). */
export interface CsvRecord {
  line: number
  fields: string[]
}

/** A record that cannot be read as CSV (a quote left open, or text after a closing quote). */
export interface CsvFault {
  line: number
  fault: string
}

/**
 * Turns the lines of a CSV file (RFC 4180: commas, double quotes, `""` inside quotes) into records,
 * one at a time, so a file of any size is read in constant memory. A quoted field may hold line
 * breaks: lines are joined until the quotes balance. Blank lines are skipped; a leading byte-order
 * mark (spreadsheets write one) is dropped.
 */
export async function* csvRecords(
  lines: AsyncIterable<string>,
): AsyncGenerator<CsvRecord | CsvFault> {
  let lineNumber = 0
  let pending: string | null = null
  let pendingLine = 0
  for await (const raw of lines) {
    lineNumber++
    const line = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw
    const text: string = pending === null ? line : `${pending}\n${line}`
    const start = pending === null ? lineNumber : pendingLine
    if (!balanced(text)) {
      pending = text
      pendingLine = start
      continue
    }
    pending = null
    if (text.trim() === '') continue
    yield splitRecord(text, start)
  }
  if (pending !== null) {
    yield { line: pendingLine, fault: 'a quoted field is never closed' }
  }
}

/** Whether every quote is closed: escaped quotes come in pairs, so the count is even. */
function balanced(text: string): boolean {
  let count = 0
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) count++
  return count % 2 === 0
}

function splitRecord(text: string, line: number): CsvRecord | CsvFault {
  // Most rows hold no quotes at all: splitting is then all there is to do.
  if (!text.includes('"')) return { line, fields: text.split(',') }
  const fields: string[] = []
  let i = 0
  while (true) {
    if (text[i] === '"') {
      let value = ''
      let from = i + 1
      while (true) {
        const quote = text.indexOf('"', from)
        value += text.slice(from, quote)
        if (text[quote + 1] === '"') {
          value += '"'
          from = quote + 2
          continue
        }
        i = quote + 1
        break
      }
      if (i < text.length && text[i] !== ',') {
        return {
          line,
          fault: `unexpected text after the closing quote of field ${fields.length + 1}`,
        }
      }
      fields.push(value)
    } else {
      const comma = text.indexOf(',', i)
      const end = comma === -1 ? text.length : comma
      const value = text.slice(i, end)
      if (value.includes('"')) {
        return { line, fault: `a quote inside the unquoted field ${fields.length + 1}` }
      }
      fields.push(value)
      i = end
    }
    if (i >= text.length) return { line, fields }
    i++ // past the comma
    if (i === text.length) {
      fields.push('')
      return { line, fields }
    }
  }
}
