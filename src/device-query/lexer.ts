/** Splits a device-group filter into tokens, each with its 1-based character position. */

export type TokenKind =
  | 'word' // a keyword or function name: letters only, compared case-insensitively
  | 'property' // `$name`
  | 'string' // quoted text, escapes resolved
  | 'symbol' // * ( ) , = != <>
  | 'invalid' // what cannot be read; `value` says why (the parser reports it when it gets there)
  | 'end'

export interface Token {
  readonly kind: TokenKind
  /** words upper-cased, property names as written, strings unescaped, symbols as written */
  readonly value: string
  /** the token as written (for messages) */
  readonly text: string
  /** 1-based position of the token's first character */
  readonly at: number
}

export class QuerySyntaxError extends Error {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {
    super(`at character ${at}: ${reason}`)
    this.name = 'QuerySyntaxError'
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '\\': '\\' }

/**
 * Every token of `text`, ending with an `end` token, or with an `invalid` one at the first thing
 * that cannot be read: the parser reports it only if nothing before it is wrong, so an error is
 * always the first one in the text.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  try {
    read(text, tokens)
  } catch (error) {
    if (!(error instanceof QuerySyntaxError)) throw error
    tokens.push({ kind: 'invalid', value: error.reason, text: '', at: error.at })
    return tokens
  }
  tokens.push({ kind: 'end', value: '', text: '', at: text.length + 1 })
  return tokens
}

function read(text: string, tokens: Token[]): void {
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    const at = i + 1
    if (/\s/.test(c)) {
      i++
    } else if (/[A-Za-z0-9_]/.test(c)) {
      // Keywords, and what a client may write unquoted by mistake (a number, a bare DTMI).
      const word = /^[A-Za-z0-9_][A-Za-z0-9_.:;-]*/.exec(text.slice(i))?.[0] as string
      tokens.push({ kind: 'word', value: word.toUpperCase(), text: word, at })
      i += word.length
    } else if (c === '$') {
      const name = /^\$[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))?.[0]
      if (!name) throw new QuerySyntaxError(at, "expected a property name after '$'")
      tokens.push({ kind: 'property', value: name, text: name, at })
      i += name.length
    } else if (c === '"' || c === "'") {
      const [value, next] = readString(text, i)
      tokens.push({ kind: 'string', value, text: text.slice(i, next), at })
      i = next
    } else if (c === '!' || c === '<') {
      const pair = text.slice(i, i + 2)
      if (pair !== '!=' && pair !== '<>') throw new QuerySyntaxError(at, `unexpected '${c}' (the operators are =, != and <>)`)
      tokens.push({ kind: 'symbol', value: pair, text: pair, at })
      i += 2
    } else if ('*(),='.includes(c)) {
      tokens.push({ kind: 'symbol', value: c, text: c, at })
      i++
    } else {
      throw new QuerySyntaxError(at, `unexpected character ${JSON.stringify(c)}`)
    }
  }
}

/** The string opening at `start` (a quote), unescaped, and the index after its closing quote. */
function readString(text: string, start: number): [string, number] {
  const quote = text[start] as string
  let value = ''
  let i = start + 1
  while (i < text.length) {
    const c = text[i] as string
    if (c === quote) return [value, i + 1]
    if (c === '\\') {
      const escaped = text[i + 1]
      const resolved = escaped === undefined ? undefined : ESCAPES[escaped]
      if (resolved === undefined) {
        throw new QuerySyntaxError(i + 1, `unknown escape ${escaped === undefined ? "'\\' at the end" : JSON.stringify(`\\${escaped}`)} (use \\", \\' or \\\\)`)
      }
      value += resolved
      i += 2
    } else {
      value += c
      i++
    }
  }
  throw new QuerySyntaxError(start + 1, `the string opened here has no closing ${quote}`)
}
