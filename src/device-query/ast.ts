/**
 * A device-group filter, parsed: `SELECT * FROM devices [WHERE <condition>]`. The grammar is in
 * docs/api.md ("Device groups"); `parse.ts` builds this tree and `compile.ts` turns it into SQL.
 */

/** Device members compared as text; `organizations` is the device's one organization (or none). */
export type TextProperty = 'id' | 'displayName' | 'template' | 'organizations'

/** Device members that are true or false. */
export type FlagProperty = 'provisioned' | 'simulated' | 'enabled'

export type Property = TextProperty | FlagProperty

/** How a text member is matched: `=`, or one of the string functions. */
export type TextMatch = 'equals' | 'startsWith' | 'endsWith' | 'contains'

export type Condition =
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Condition[] }
  | { readonly kind: 'not'; readonly operand: Condition }
  | { readonly kind: 'text'; readonly property: TextProperty; readonly match: TextMatch; readonly value: string }
  | { readonly kind: 'flag'; readonly property: FlagProperty; readonly value: boolean }

export interface DeviceQuery {
  /** null: every device. */
  readonly where: Condition | null
}

/** The `$name` each property is written as in a filter. */
export const PROPERTY_NAMES: Readonly<Record<Property, string>> = {
  id: '$id',
  displayName: '$displayName',
  template: '$template',
  organizations: '$organizations',
  provisioned: '$provisioned',
  simulated: '$simulated',
  enabled: '$enabled',
}

export const isFlag = (property: Property): property is FlagProperty =>
  property === 'provisioned' || property === 'simulated' || property === 'enabled'
