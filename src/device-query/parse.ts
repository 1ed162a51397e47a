import {
  PROPERTY_NAMES,
  isFlag,
  type Condition,
  type DeviceQuery,
  type FlagProperty,
  type Property,
  type TextMatch,
  type TextProperty,
} from './ast.js'
import { QuerySyntaxError, tokenize, type Token } from './lexer.js'

/** The longest filter accepted, in characters. */
export const MAX_QUERY_LENGTH = 2048
/** The most comparisons and functions in one filter. */
export const MAX_CONDITIONS = 50
/** The deepest nesting of parentheses and NOTs. */
export const MAX_NESTING = 16

const PROPERTIES: ReadonlyMap<string, Property> = new Map(
  Object.entries(PROPERTY_NAMES).map(([property, name]) => [name.toLowerCase(), property as Property]),
)

const FUNCTIONS: ReadonlyMap<string, TextMatch> = new Map([
  ['STARTSWITH', 'startsWith'],
  ['ENDSWITH', 'endsWith'],
  ['CONTAINS', 'contains'],
])

/** Properties the string functions apply to (an organization id is matched whole). */
const FUNCTION_PROPERTIES: readonly TextProperty[] = ['id', 'displayName', 'template']

/**
 * Parses a device-group filter, or throws a QuerySyntaxError naming the character where it went
 * wrong and what was expected there. Keywords, function and property names are case-insensitive.
 */
export function parseDeviceQuery(text: string): DeviceQuery {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new QuerySyntaxError(MAX_QUERY_LENGTH + 1, `a filter is at most ${MAX_QUERY_LENGTH} characters long`)
  }
  return new Parser(tokenize(text)).query()
}

/** How a token reads in an error message. */
function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
    case 'invalid':
      return 'end of query'
    case 'string':
      return `the string ${JSON.stringify(token.value.length > 40 ? `${token.value.slice(0, 40)}…` : token.value)}`
    case 'word':
    case 'property':
      return `'${token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text}'`
    case 'symbol':
      return `'${token.value}'`
  }
}

class Parser {
  private position = 0
  private conditions = 0

  constructor(private readonly tokens: readonly Token[]) {}

  query(): DeviceQuery {
    this.keyword('SELECT', 'SELECT at the start of the query')
    this.symbol('*', "'*' after SELECT (a device group selects whole devices)")
    this.keyword('FROM', "FROM after 'SELECT *'")
    this.keyword('DEVICES', 'devices after FROM')
    if (this.peek().kind === 'end') return { where: null }
    this.keyword('WHERE', 'WHERE or the end of the query after FROM devices')
    const where = this.or(0)
    const rest = this.peek()
    if (rest.kind !== 'end') {
      this.fail(rest, rest.kind === 'symbol' && rest.value === ')' ? 'end of query (this parenthesis closes nothing)' : 'AND, OR or the end of the query')
    }
    return { where }
  }

  private or(depth: number): Condition {
    const operands = [this.and(depth)]
    while (this.isKeyword('OR')) {
      this.next()
      operands.push(this.and(depth))
    }
    return operands.length === 1 ? (operands[0] as Condition) : { kind: 'or', operands }
  }

  private and(depth: number): Condition {
    const operands = [this.unary(depth)]
    while (this.isKeyword('AND')) {
      this.next()
      operands.push(this.unary(depth))
    }
    return operands.length === 1 ? (operands[0] as Condition) : { kind: 'and', operands }
  }

  private unary(depth: number): Condition {
    const token = this.peek()
    if (depth >= MAX_NESTING) this.fail(token, `nested too deeply (at most ${MAX_NESTING} levels of parentheses and NOT)`, true)
    if (this.isKeyword('NOT')) {
      this.next()
      return { kind: 'not', operand: this.unary(depth + 1) }
    }
    if (token.kind === 'symbol' && token.value === '(') {
      this.next()
      const inner = this.or(depth + 1)
      this.symbol(')', "')' or AND or OR")
      return inner
    }
    if (token.kind === 'property') return this.comparison()
    if (token.kind === 'word' && FUNCTIONS.has(token.value)) return this.call()
    return this.fail(token, 'a condition (a $property, STARTSWITH, ENDSWITH, CONTAINS, NOT or \'(\')')
  }

  private comparison(): Condition {
    const [property, name] = this.property()
    const operator = this.peek()
    if (operator.kind !== 'symbol' || !['=', '!=', '<>'].includes(operator.value)) {
      this.fail(operator, `=, != or <> after ${name}`)
    }
    this.next()
    const value = this.peek()
    const after = `after '${operator.value}'`
    let condition: Condition
    if (isFlag(property)) {
      if (value.kind !== 'word' || (value.value !== 'TRUE' && value.value !== 'FALSE')) {
        this.fail(value, value.kind === 'end' ? `a value ${after}` : `true or false ${after} (${name} is true or false)`)
      }
      condition = { kind: 'flag', property: property as FlagProperty, value: value.value === 'TRUE' }
    } else {
      if (value.kind !== 'string') {
        this.fail(value, value.kind === 'end' ? `a value ${after}` : `a quoted string ${after} (${name} is text)`)
      }
      condition = { kind: 'text', property: property as TextProperty, match: 'equals', value: value.value }
    }
    this.next()
    this.count(value)
    return operator.value === '=' ? condition : { kind: 'not', operand: condition }
  }

  private call(): Condition {
    const name = this.next()
    const match = FUNCTIONS.get(name.value) as TextMatch
    this.symbol('(', `'(' after ${name.value}`)
    const [property, propertyName] = this.property()
    if (isFlag(property) || !FUNCTION_PROPERTIES.includes(property)) {
      this.fail(this.tokens[this.position - 1] as Token, `${name.value} applies to $id, $displayName or $template (${propertyName} is matched with = or !=)`, true)
    }
    this.symbol(',', `',' after ${propertyName}`)
    const value = this.peek()
    if (value.kind !== 'string') this.fail(value, `a quoted string as the second argument of ${name.value}`)
    this.next()
    this.symbol(')', `')' after the second argument of ${name.value}`)
    this.count(name)
    return { kind: 'text', property: property as TextProperty, match, value: value.value }
  }

  private property(): [Property, string] {
    const token = this.peek()
    if (token.kind !== 'property') this.fail(token, 'a property ($id, $displayName, $template, $organizations, $provisioned, $simulated or $enabled)')
    const property = PROPERTIES.get(token.value.toLowerCase())
    if (property === undefined) {
      this.fail(token, 'a known property ($id, $displayName, $template, $organizations, $provisioned, $simulated or $enabled)')
    }
    this.next()
    return [property, PROPERTY_NAMES[property]]
  }

  private count(token: Token): void {
    if (++this.conditions > MAX_CONDITIONS) this.fail(token, `too many conditions (at most ${MAX_CONDITIONS})`, true)
  }

  private keyword(word: string, expected: string): void {
    if (!this.isKeyword(word)) this.fail(this.peek(), expected)
    this.next()
  }

  private symbol(symbol: string, expected: string): void {
    const token = this.peek()
    if (token.kind !== 'symbol' || token.value !== symbol) this.fail(token, expected)
    this.next()
  }

  private isKeyword(word: string): boolean {
    const token = this.peek()
    return token.kind === 'word' && token.value === word
  }

  private peek(): Token {
    const token = this.tokens[this.position] as Token
    if (token.kind === 'invalid') throw new QuerySyntaxError(token.at, token.value)
    return token
  }

  private next(): Token {
    const token = this.peek()
    if (token.kind !== 'end') this.position++
    return token
  }

  /** Throws "expected …, found …" at the token (or, for a limit, just the rule). */
  private fail(token: Token, expected: string, rule = false): never {
    throw new QuerySyntaxError(token.at, rule ? expected : `expected ${expected}, found ${describe(token)}`)
  }
}
