import { CONFIG_SOURCES } from '../config/schema.js'

/**
 * What each flag means, for `opencentral <command> --help`. A flag that means something else in
 * one command is described there (`Command.optionHelp`); settings of `start` come from the schema.
 */
export const OPTION_HELP: Record<string, string> = {
  data: 'Folder of the SQLite store (default ./data, from the current folder; OPENCENTRAL_DATA).',
  database: 'PostgreSQL URL of the store instead of SQLite (OPENCENTRAL_DATABASE_URL).',
  config:
    'JSON configuration file (OPENCENTRAL_CONFIG; default ./opencentral.json when present): the settings of docs/configuration.md by name; flags and environment win over it.',
  json: 'Print JSON on one line (the same as -o json, unindented).',
  output: 'Output format: json, table or tsv (as az -o).',
  query:
    "A field to print, as az --query: a field name (accessToken) or a field of every list item ([].id); not full JMESPath.",
  role: 'Role id or name, optionally :<organization id> (repeatable).',
  expiry: 'Expiry as an ISO date.',
  'expires-in': 'Expiry counted from now: 30d, 12h or 90m.',
  description: 'Free text describing it.',
  from: 'Only records at or after this ISO date.',
  to: 'Only records before this ISO date.',
  actor: 'Only records of this token or user id.',
  action: 'Only records of this action, e.g. apiToken.create.',
  limit: 'At most this many records (default 100).',
  'batch-size': 'Rows written per transaction (default 1000).',
  'max-errors': 'Bad rows listed before only counting them (default 20).',
  update: 'Replace devices that exist (only the columns the file has).',
  'dry-run': 'Check everything, write nothing.',
  'device-id': 'The device id.',
  'primary-key': "The enrollment group's primary key (- reads it from standard input).",
  group: 'Enrollment group id whose key is read from the store.',
  'id-prefix': 'Prefix of the simulated device ids (default sim-).',
  template: 'Device template id the telemetry fits.',
  interval: 'Seconds between telemetry messages (default 10).',
  'connects-per-second': 'How many devices connect per second (default 100).',
  host: 'Host name of the server to connect to.',
  'mqtt-port': 'MQTT port of the server (default 8883).',
  'device-host-name': 'Host name devices are assigned as their hub.',
  'public-url': "The server's public URL.",
  ca: 'PEM file of the certificate authority to trust (default the --tls-dev one).',
  key: 'Group key to derive device keys from, instead of reading the group from the store.',
  'id-scope': 'ID scope to register with.',
  'dps-url': 'URL of the provisioning service over HTTPS (default the server itself).',
  port: 'HTTP port of the server.',
  'tls-dev': 'The server uses the development certificate.',
  duration: 'Stop after this many seconds.',
  direct: 'Connect straight to the hub, without provisioning.',
  email: 'Email address of the user.',
  force: 'Overwrite the file if it exists.',
  cert: 'PEM certificate file: the principal signs client assertions with its key instead of a password.',
  'end-date': 'The password stops working at this ISO date.',
  password: 'The password (else read from standard input when piped, else generated and printed once).',
  name: 'Display name.',
  server: 'URL of the OpenCentral server (default http://127.0.0.1:8080).',
  resource: 'Resource (audience) the token is for (default https://apps.azureiotcentral.com).',
  'client-id': 'appId of a service principal.',
  'client-secret':
    'Its password; - reads it from standard input, and without the flag AZURE_CLIENT_SECRET is used (a literal value is visible in the process list).',
}

/** `start`'s flags: every setting of the schema, with its environment variable. */
export const SETTING_HELP: Record<string, string> = Object.fromEntries(
  CONFIG_SOURCES.flatMap((s) => {
    const text = `${s.description} (${s.env}; "${s.key}" in the configuration file)`
    return s.kind === 'switch' ? [[s.flag, text], [`no-${s.flag}`, `Turns --${s.flag} off.`]] : [[s.flag, text]]
  }),
)
