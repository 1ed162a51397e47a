import type { Output } from './output.js'

export interface CommandContext {
  /** Positional arguments after the command words. */
  args: string[]
  /** Single-valued flags (`--port 8080` → `{ port: '8080' }`). */
  flags: Record<string, string | undefined>
  /** Repeatable flags, all their values. */
  lists: Record<string, string[]>
  /** Boolean switches (`--json`). */
  switches: Set<string>
  env: Record<string, string | undefined>
  output: Output
}

export interface Command {
  /** Words that select the command, e.g. `['token', 'create']`. */
  words: string[]
  usage: string
  description: string
  /** Flags taking a value; `repeatable` ones may be given several times. */
  options?: Record<string, { repeatable?: boolean; switch?: boolean; short?: string }>
  switches?: string[]
  /** What a flag means in this command, where src/cli/option-help.ts says something else. */
  optionHelp?: Record<string, string>
  run(context: CommandContext): Promise<number>
}
