import { parseArgs } from 'node:util'
import { ConfigError } from '../config/load.js'
import { CONFIG_SOURCES } from '../config/schema.js'
import { AppError } from '../errors/app-error.js'
import type { Command } from './command.js'
import { closest, editDistance } from '../config/closest.js'
import { checkDataOptions, DATA_OPTIONS } from './data-output.js'
import { OPTION_HELP, SETTING_HELP } from './option-help.js'
import { processOutput, UsageError, type Output } from './output.js'
import { packageVersion } from './version.js'

const STORE_OPTIONS = { data: {}, database: {}, config: {} }
const SERVER_OPTIONS: NonNullable<Command['options']> = Object.fromEntries(
  CONFIG_SOURCES.flatMap((s): [string, { repeatable?: boolean; switch?: boolean }][] =>
    s.kind === 'switch'
      ? [
          [s.flag, { switch: true }],
          [`no-${s.flag}`, { switch: true }],
        ]
      : [[s.flag, s.kind === 'list' ? { repeatable: true } : {}]],
  ).concat([['config', {}]]),
)

// Commands are loaded when run: `token list` need not load the HTTP server.
export const COMMANDS: Command[] = [
  {
    words: ['start'],
    usage:
      'start [--port 8080] [--host 127.0.0.1] [--data ./data] [--database <postgres-url>] [--public-url <url>] [--tls-dev | --tls-cert <file> --tls-key <file>]',
    description: 'Run the server (every flag also has an OPENCENTRAL_* environment variable).',
    options: SERVER_OPTIONS,
    optionHelp: SETTING_HELP,
    run: async (context) => (await import('./commands/start.js')).start(context),
  },
  {
    words: ['init'],
    usage: 'init [--data ./data | --database <postgres-url>]',
    description:
      'Make a new, empty store there (start also makes one). Every other command refuses a store that does not exist.',
    options: STORE_OPTIONS,
    run: async (context) => (await import('./commands/init.js')).init(context),
  },
  {
    words: ['migrate'],
    usage: 'migrate [--data ./data | --database <postgres-url>]',
    description:
      "Bring the store's schema up to this version's (start does it too, unless --no-migrate). Other commands refuse a store whose schema differs from theirs.",
    options: STORE_OPTIONS,
    run: async (context) => (await import('./commands/migrate.js')).migrate(context),
  },
  {
    words: ['token', 'create'],
    usage:
      'token create <tokenId> --role <role id or name>[:<organization id>] [--role …] [--expiry <ISO date> | --expires-in <30d|12h|90m>] [--description <text>] [--json | -o json|table|tsv] [--query token]',
    description: 'Create an API token directly in the store; prints its value (once) on stdout.',
    options: { ...STORE_OPTIONS, ...DATA_OPTIONS, role: { repeatable: true }, expiry: {}, 'expires-in': {}, description: {} },
    switches: ['json'],
    run: async (context) => (await import('./commands/token-create.js')).tokenCreate(context),
  },
  {
    words: ['token', 'list'],
    usage: 'token list [--json | -o json|table|tsv] [--query <field>]',
    description: 'List API tokens (never their values).',
    options: { ...STORE_OPTIONS, ...DATA_OPTIONS },
    switches: ['json'],
    run: async (context) => (await import('./commands/token-list.js')).tokenList(context),
  },
  {
    words: ['token', 'delete'],
    usage: 'token delete <tokenId>',
    description: 'Revoke an API token.',
    options: STORE_OPTIONS,
    run: async (context) => (await import('./commands/token-delete.js')).tokenDelete(context),
  },
  {
    words: ['audit'],
    usage:
      'audit [--from <ISO date>] [--to <ISO date>] [--actor <token or user id>] [--action <e.g. apiToken.create>] [--limit 100] [--json | -o json|table|tsv] [--query [].<field>]',
    description:
      'List audit log records, newest first (who changed what, when, from where, and refused requests), read from the store.',
    options: { ...STORE_OPTIONS, ...DATA_OPTIONS, from: {}, to: {}, actor: {}, action: {}, limit: {} },
    switches: ['json'],
    run: async (context) => (await import('./commands/audit-list.js')).auditList(context),
  },
  {
    words: ['devices', 'import'],
    usage:
      'devices import <file.csv> [--batch-size 1000] [--update] [--dry-run] [--max-errors 20] [--json]',
    description:
      "Import devices from IoT Central's bulk-import CSV, a batch per transaction. A batch holding a bad row writes nothing; its bad rows are listed by line (the first --max-errors messages, then a count) and the import goes on. An id repeated in the file is refused with both lines. Existing ids are refused unless --update replaces them (only the columns the file has). --dry-run checks everything and writes nothing. Exit 1 when any row was not imported.",
    options: { ...STORE_OPTIONS, 'batch-size': {}, 'max-errors': {} },
    switches: ['update', 'json', 'dry-run'],
    run: async (context) => (await import('./commands/devices-import.js')).devicesImport(context),
  },
  {
    words: ['devices', 'compute-key'],
    usage: 'devices compute-key --device-id <id> (--primary-key <group key> | --group <enrollmentGroupId>)',
    description:
      "Print a device's key under a symmetric-key enrollment group: base64(HMAC-SHA256(group key, device id)), as az iot central device compute-device-key does. --group reads the group's primary key from the store.",
    options: { ...STORE_OPTIONS, 'device-id': {}, 'primary-key': {}, group: {} },
    run: async (context) => (await import('./commands/devices-compute-key.js')).devicesComputeKey(context),
  },
  {
    words: ['devices', 'simulate'],
    usage:
      'devices simulate <count> [--id-prefix sim-] [--template <id>] [--interval 10] [--connects-per-second 100] [--host <host>] [--mqtt-port 8883] [--ca <file>] [--group <enrollmentGroupId> | --key <group key>] [--id-scope <scope>] [--dps-url <url>] [--direct] [--duration <s>]',
    description:
      'Connect <count> simulated devices through the MQTT endpoint: each registers through DPS over MQTT, else over HTTPS at --dps-url (default the server\'s own URL); with --direct, or when no DPS answers, the devices connect straight to the hub, sends telemetry every --interval seconds (values fitting --template), reports properties every minute, answers commands (200, the request echoed) and acknowledges desired properties. Ctrl-C disconnects them and prints a summary. Device keys are derived from the enrollment group\'s key (default group SAS-IoT-Devices, read from the store); the CA defaults to the --tls-dev one in the data directory.',
    options: {
      ...STORE_OPTIONS,
      'id-prefix': {},
      template: {},
      interval: {},
      'connects-per-second': {},
      host: {},
      'mqtt-port': {},
      'device-host-name': {},
      'public-url': {},
      ca: {},
      group: {},
      key: {},
      'id-scope': {},
      'dps-url': {},
      port: {},
      'tls-dev': { switch: true },
      duration: {},
    },
    switches: ['direct'],
    optionHelp: { group: 'Enrollment group whose key derives the device keys (default SAS-IoT-Devices).' },
    run: async (context) => (await import('./commands/devices-simulate.js')).devicesSimulate(context),
  },
  {
    words: ['user', 'add'],
    usage:
      'user add <userId> --email <address> --role <role id or name>[:<organization id>] [--role …] [--json]',
    description:
      'Make an email user of the application directly in the store (with idp user add: the first Administrator).',
    options: { ...STORE_OPTIONS, email: {}, role: { repeatable: true } },
    switches: ['json'],
    run: async (context) => (await import('./commands/user-add.js')).userAdd(context),
  },
  {
    words: ['cert', 'create'],
    usage: 'cert create [--host <name>] [--host …] [--data ./data] [--json]',
    description:
      'Make a development certificate authority and a server certificate for loopback names under <data>/tls.',
    options: { data: {}, config: {}, host: { repeatable: true } },
    optionHelp: { host: 'DNS name or address the server certificate is for (repeatable; default the loopback names).' },
    switches: ['json'],
    run: async (context) => (await import('./commands/cert-create.js')).certCreate(context),
  },
  {
    words: ['backup'],
    usage: 'backup <file> [--data ./data] [--force]',
    description:
      'Copy the embedded SQLite store to <file> while servers keep running (SQLite online backup; a plain cp of a live database misses rows), then check the copy.',
    options: STORE_OPTIONS,
    switches: ['force'],
    run: async (context) => (await import('./commands/backup.js')).backup(context),
  },
  {
    words: ['role', 'list'],
    usage: 'role list [--json | -o json|table|tsv] [--query <field>]',
    description: 'List the roles and their ids.',
    options: { ...STORE_OPTIONS, ...DATA_OPTIONS },
    switches: ['json'],
    run: async (context) => (await import('./commands/role-list.js')).roleList(context),
  },
  {
    words: ['idp', 'sp', 'create'],
    usage: 'idp sp create <name> [--end-date <ISO date> | --cert <pem-file>] [--json]',
    description:
      "Create a service principal of the embedded identity provider; prints appId, password (once), tenant and objectId. With --cert it has no password and proves itself with client assertions signed by the certificate's key. With --end-date the password stops working then.",
    options: { ...STORE_OPTIONS, cert: {}, 'end-date': {} },
    switches: ['json'],
    run: async (context) => (await import('./commands/idp-sp-create.js')).idpSpCreate(context),
  },
  {
    words: ['idp', 'sp', 'list'],
    usage: 'idp sp list [--json | -o json|table|tsv] [--query <field>]',
    description: 'List service principals (never their passwords).',
    options: { ...STORE_OPTIONS, ...DATA_OPTIONS },
    switches: ['json'],
    run: async (context) => (await import('./commands/idp-sp-list.js')).idpSpList(context),
  },
  {
    words: ['idp', 'sp', 'delete'],
    usage: 'idp sp delete <appId or name>',
    description: 'Delete a service principal: it can get no more tokens.',
    options: STORE_OPTIONS,
    run: async (context) => (await import('./commands/idp-sp-delete.js')).idpSpDelete(context),
  },
  {
    words: ['idp', 'user', 'add'],
    usage: 'idp user add <email> [--password <p>] [--name <display name>] [--json]',
    description:
      'Add a person who signs in with email and password (without --password: read from standard input, or generated and printed once).',
    options: { ...STORE_OPTIONS, password: {}, name: {} },
    switches: ['json'],
    run: async (context) => (await import('./commands/idp-user-add.js')).idpUserAdd(context),
  },
  {
    words: ['idp', 'user', 'list'],
    usage: 'idp user list [--json | -o json|table|tsv] [--query <field>]',
    description: 'List the people of the embedded identity provider.',
    options: { ...STORE_OPTIONS, ...DATA_OPTIONS },
    switches: ['json'],
    run: async (context) => (await import('./commands/idp-user-list.js')).idpUserList(context),
  },
  {
    words: ['idp', 'user', 'delete'],
    usage: 'idp user delete <email>',
    description: 'Delete a person and end their sessions.',
    options: STORE_OPTIONS,
    run: async (context) => (await import('./commands/idp-user-delete.js')).idpUserDelete(context),
  },
  {
    words: ['idp', 'user', 'set-password'],
    usage: 'idp user set-password <email> [--password <p>]',
    description: "Set a new password (same sources as user add) and end the person's sessions.",
    options: { ...STORE_OPTIONS, password: {} },
    run: async (context) =>
      (await import('./commands/idp-user-set-password.js')).idpUserSetPassword(context),
  },
  {
    words: ['idp', 'keys', 'rotate'],
    usage: 'idp keys rotate [--json]',
    description:
      'Make a new signing key; the old one verifies the tokens it signed until they have expired, then is dropped.',
    options: STORE_OPTIONS,
    switches: ['json'],
    run: async (context) => (await import('./commands/idp-keys-rotate.js')).idpKeysRotate(context),
  },
  {
    words: ['login'],
    usage: 'login [--server http://127.0.0.1:8080] [--resource <r>]',
    description:
      "Sign in to a server's embedded identity provider with the device flow; tokens are kept in ~/.opencentral (or $OPENCENTRAL_HOME), readable by you only.",
    options: { server: {}, resource: {} },
    run: async (context) => (await import('./commands/login.js')).login(context),
  },
  {
    words: ['account', 'get-access-token'],
    usage:
      'account get-access-token --resource <r> [--server <url>] [--client-id <appId> [--client-secret - | <secret>]] [-o json|table|tsv] [--query accessToken]',
    description:
      'Print an access token as az account get-access-token does: for a service principal, or for the person signed in with login.',
    options: { server: {}, resource: {}, 'client-id': {}, 'client-secret': {}, ...DATA_OPTIONS },
    run: async (context) =>
      (await import('./commands/account-get-access-token.js')).accountGetAccessToken(context),
  },
]

function help(output: Output): void {
  output.out('Usage: opencentral <command> [options]\n')
  for (const command of COMMANDS) {
    output.out(`  opencentral ${command.usage}`)
    output.out(`      ${command.description}`)
  }
  output.out("\nRun 'opencentral <command> --help' for all of a command's options; 'opencentral --version' prints the version.")
  output.out(
    "\nStore options of every command: --data <dir> (SQLite, default ./data, from the current folder) or --database <postgres-url>, or OPENCENTRAL_DATA / OPENCENTRAL_DATABASE_URL, or dataDir / databaseUrl in ./opencentral.json (or the file of --config / OPENCENTRAL_CONFIG). Each command names the store it used on stderr; only start and init make a new one.",
  )
}

/** Runs one CLI invocation and returns its exit code: 0 done, 1 failed, 2 misused. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  output: Output = processOutput,
): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    help(output)
    return argv.length === 0 ? 2 : 0
  }
  if (argv[0] === '--version') {
    output.out(packageVersion())
    return 0
  }
  const command = COMMANDS.find((c) => c.words.every((word, i) => argv[i] === word))
  if (!command) {
    output.err(`opencentral: unknown command '${argv.slice(0, 2).join(' ')}'.${suggestCommand(argv)} Run 'opencentral help'.`)
    return 2
  }
  const rest = argv.slice(command.words.length)
  const end = rest.indexOf('--')
  if ((end === -1 ? rest : rest.slice(0, end)).some((arg) => arg === '--help' || arg === '-h')) {
    commandHelp(command, output)
    return 0
  }
  try {
    const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {}
    for (const [name, spec] of Object.entries(command.options ?? {})) {
      options[name] = spec.switch
        ? { type: 'boolean' }
        : { type: 'string', ...(spec.repeatable ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) }
    }
    for (const name of command.switches ?? []) options[name] = { type: 'boolean' }
    const parsed = parseArgs({
      args: rest,
      options,
      allowPositionals: true,
      strict: true,
    })
    const flags: Record<string, string | undefined> = {}
    const lists: Record<string, string[]> = {}
    const switches = new Set<string>()
    for (const [name, value] of Object.entries(parsed.values)) {
      const spec = command.options?.[name]
      if (spec?.switch && value === true) {
        // --no-x sets the switch x to false; the config loader reads it like any other value.
        if (name.startsWith('no-')) flags[name.slice(3)] = 'false'
        else flags[name] = 'true'
      } else if (value === true) switches.add(name)
      else if (Array.isArray(value)) lists[name] = value.map(String)
      else if (typeof value === 'string') flags[name] = value
    }
    checkDataOptions(flags)
    return await command.run({ args: parsed.positionals, flags, lists, switches, env, output })
  } catch (error) {
    return report(error, command, output)
  }
}

function report(error: unknown, command: Command, output: Output): number {
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec((error as Error).message ?? '')?.[1]
  if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const near = closest(unknown.replace(/^-+/, ''), optionNames(command))
    output.err(`opencentral: unknown option '${unknown}'.${near ? ` Did you mean --${near}?` : ''}`)
    output.err(`Usage: opencentral ${command.usage}`)
    output.err(`Run 'opencentral ${command.words.join(' ')} --help' for all options.`)
    return 2
  }
  if (
    error instanceof UsageError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    output.err(`opencentral: ${(error as Error).message}`)
    output.err(`Usage: opencentral ${command.usage}`)
    return 2
  }
  if (error instanceof ConfigError) {
    output.err(`opencentral: ${error.message}`)
    return 2
  }
  if (error instanceof AppError && error.expose) {
    output.err(`opencentral: ${error.message}`)
    return 1
  }
  output.err(`opencentral: ${error instanceof Error ? error.message : String(error)}`)
  return 1
}

function optionNames(command: Command): string[] {
  return [...Object.keys(command.options ?? {}), ...(command.switches ?? []), 'help']
}

/** " Did you mean 'opencentral token list'?" for the command whose words are nearest those given. */
function suggestCommand(argv: string[]): string {
  let best: Command | undefined
  let bestDistance = Infinity
  for (const command of COMMANDS) {
    const given = argv.slice(0, command.words.length).join(' ')
    const words = command.words.join(' ')
    const near = closest(given, [words])
    if (near === undefined) continue
    const distance = editDistance(given, words)
    if (distance < bestDistance) {
      best = command
      bestDistance = distance
    }
  }
  if (best) return ` Did you mean 'opencentral ${best.words.join(' ')}'?`
  // A mistyped group word ('tokn list'): name the group's commands.
  const group = closest(argv[0] ?? '', [...new Set(COMMANDS.map((c) => c.words[0] as string))])
  if (group === undefined) return ''
  const members = COMMANDS.filter((c) => c.words[0] === group).map((c) => `'opencentral ${c.words.join(' ')}'`)
  return ` Did you mean ${members.join(' or ')}?`
}

/** `opencentral <command> --help`: usage, what it does, and every option with its meaning. */
function commandHelp(command: Command, output: Output): void {
  output.out(`Usage: opencentral ${command.usage}\n`)
  output.out(`${command.description}\n`)
  output.out('Options:')
  const rows: [string, string][] = []
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.switch ? '' : ' <value>'}${spec.repeatable ? ' …' : ''}`
    rows.push([flag, optionDescription(command, name)])
  }
  for (const name of command.switches ?? []) rows.push([`--${name}`, optionDescription(command, name)])
  rows.push(['-h, --help', 'Print this help.'])
  const width = Math.max(...rows.map(([flag]) => flag.length))
  for (const [flag, text] of rows) output.out(`  ${flag.padEnd(width)}  ${text}`)
}

/** What a flag of a command means; every flag has a text (a test holds every command to it). */
export function optionDescription(command: Command, name: string): string {
  return command.optionHelp?.[name] ?? OPTION_HELP[name] ?? ''
}
