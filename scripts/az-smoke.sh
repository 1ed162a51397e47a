#!/usr/bin/env bash
# Runs Microsoft's `az iot central` commands against a running OpenCentral and prints one
# PASS/FAIL line per command (SKIP, with the reason, for commands that cannot work against
# any server but IoT Central's own web application). Not part of `npm test`: it needs the Azure CLI with the azure-iot
# extension, which docs/az-cli.md explains how to install and point at OpenCentral.
#
#   OC_TOKEN="SharedAccessSignature sr=…"  (an Administrator API token; required)
#   OC_APP_ID=myapp                           (the host is <app-id>.<suffix>)
#   OC_DNS_SUFFIX=opencentral.test:8443       (the --central-dns-suffix, port included)
#   REQUESTS_CA_BUNDLE=<data>/tls/ca.pem      (when the server uses the development certificate)
#   OC_VERBOSE=1                              (print each failure's error line)
#
# Exit status: 0 when every command passed, 1 when one failed, 2 when az cannot run them.
set -u

APP_ID=${OC_APP_ID:-myapp}
SUFFIX=${OC_DNS_SUFFIX:-opencentral.test:8443}
TOKEN=${OC_TOKEN:-}
RUN=smoke$$

if ! command -v az >/dev/null 2>&1 || ! az iot central device --help >/dev/null 2>&1; then
  echo "az iot central is not available: install the Azure CLI and the azure-iot extension (docs/az-cli.md)." >&2
  exit 2
fi
if [ -z "$TOKEN" ]; then
  echo "Set OC_TOKEN to an Administrator API token (opencentral token create … --role Administrator)." >&2
  exit 2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

TEMPLATE_ID="dtmi:opencentral:smoke${RUN};1"
cat >"$WORK/template.json" <<EOF
{
  "@type": ["ModelDefinition", "DeviceModel"],
  "displayName": "Smoke thermostat",
  "capabilityModel": {
    "@id": "dtmi:opencentral:smoke${RUN}:cm;1",
    "@type": "Interface",
    "displayName": "Smoke thermostat",
    "contents": [
      { "@type": "Telemetry", "name": "temperature", "schema": "double" },
      { "@type": "Property", "name": "target", "schema": "double", "writable": true },
      { "@type": "Command", "name": "reboot" },
      { "@type": "Relationship", "name": "downstream" }
    ]
  }
}
EOF
# A job writes the template's writable property `target` (the device never connected, so the
# device fails and the job ends at once: `rerun` then has a failed device to run again).
cat >"$WORK/job.json" <<EOF
[{ "type": "property", "target": "$TEMPLATE_ID", "path": "target", "value": 21 }]
EOF
cat >"$WORK/schedule.json" <<'EOF'
{ "start": "2030-01-01T00:00:00.000Z", "recurrence": "daily", "end": { "type": "occurrences", "occurrences": 3 } }
EOF

passed=0
failed=0
skipped=0
OUT=""
# The command line as printed: keys and connection-string secrets masked.
shown() {
  echo "$*" | sed -E 's/(AccountKey=)[^;]*/\1*****/g; s/(--primary-key )[^ ]+/\1*****/g; s/("primaryKey": ")[^"]*/\1*****/g'
}
# check <args…>: the command must succeed. Its output is kept in $OUT.
check() {
  if OUT=$(az iot central "$@" --app-id "$APP_ID" --central-dns-suffix "$SUFFIX" --token "$TOKEN" --only-show-errors 2>&1); then
    echo "PASS  az iot central $(shown "$@")"
    passed=$((passed + 1))
  else
    echo "FAIL  az iot central $(shown "$@")"
    if [ -n "${OC_VERBOSE:-}" ]; then echo "$OUT" | grep -m1 -E 'ERROR|Error|error' | sed 's/^/      /'; fi
    failed=$((failed + 1))
  fi
}
# refused <pattern> <why> <args…>: the command reaches its operation, which answers the documented
# refusal (its message matches <pattern>): the request is right, the state makes it a refusal.
refused() {
  local pattern=$1 why=$2
  shift 2
  if OUT=$(az iot central "$@" --app-id "$APP_ID" --central-dns-suffix "$SUFFIX" --token "$TOKEN" --only-show-errors 2>&1); then
    echo "FAIL  az iot central $(shown "$@")   (succeeded; expected: $why)"
    failed=$((failed + 1))
  elif echo "$OUT" | grep -qE "$pattern"; then
    echo "PASS  az iot central $(shown "$@")   [refused as documented: $why]"
    passed=$((passed + 1))
  else
    echo "FAIL  az iot central $(shown "$@")   (expected: $why)"
    if [ -n "${OC_VERBOSE:-}" ]; then echo "$OUT" | grep -m1 -E 'ERROR|Error|error' | sed 's/^/      /'; fi
    failed=$((failed + 1))
  fi
}
# local_check <args…>: a command that computes locally and takes no application arguments.
local_check() {
  if OUT=$(az iot central "$@" --only-show-errors 2>&1); then
    echo "PASS  az iot central $(shown "$@")"
    passed=$((passed + 1))
  else
    echo "FAIL  az iot central $(shown "$@")"
    if [ -n "${OC_VERBOSE:-}" ]; then echo "$OUT" | grep -m1 -E 'ERROR|Error|error' | sed 's/^/      /'; fi
    failed=$((failed + 1))
  fi
}
skip() {
  local why=$1
  shift
  echo "SKIP  az iot central $*   ($why)"
  skipped=$((skipped + 1))
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

PRIVATE="calls /system/iothub or /system/iotedge, a private path of IoT Central's web application outside the public API"
ADMIN=ca310b8d-2f4a-44e0-a36e-957c202cd8d4
uuid() { cat /proc/sys/kernel/random/uuid 2>/dev/null || python3 -c 'import uuid; print(uuid.uuid4())'; }
SP_TENANT=$(uuid)
SP_OBJECT=$(uuid)

# Roles and API tokens
check role list
check role show --role-id "$ADMIN"
check api-token create --token-id "$RUN-token" --role operator
check api-token list
check api-token show --token-id "$RUN-token"
check api-token delete --token-id "$RUN-token"

# Organizations
check organization create --org-id "$RUN-org" --org-name "Smoke organization"
check organization list
check organization show --org-id "$RUN-org"
check organization update --org-id "$RUN-org" --org-name "Smoke organization, renamed"

# Users
check user create --user-id "$RUN-email" --email "$RUN@example.com" --role operator
check user create --user-id "$RUN-sp" --tenant-id "$SP_TENANT" --object-id "$SP_OBJECT" --role operator
check user list
check user show --user-id "$RUN-email"
check user update --user-id "$RUN-email" --email "$RUN@example.com" --roles builder
check user delete --user-id "$RUN-email"
check user delete --user-id "$RUN-sp"

# Device templates (the CLI uses api-version 2022-06-30-preview here)
check device-template create --device-template-id "$TEMPLATE_ID" --content "$WORK/template.json"
check device-template list
check device-template show --device-template-id "$TEMPLATE_ID"
check device-template update --device-template-id "$TEMPLATE_ID" --content "$WORK/template.json"

# Devices (device list uses 2022-06-30-preview)
check device create --device-id "$RUN-dev" --template "$TEMPLATE_ID" --device-name "Smoke device"
check device create --device-id "$RUN-org-dev" --device-name "Smoke device in an organization" --organizations "$RUN-org"
check device create --device-id "$RUN-child" --device-name "Smoke downstream device"
check device list
check device show --device-id "$RUN-dev"
check device update --device-id "$RUN-dev" --device-name "Smoke device, renamed"
check device registration-info --device-id "$RUN-dev"
check device show-credentials --device-id "$RUN-dev"
check device list-components --device-id "$RUN-dev"
check device list-modules --device-id "$RUN-dev"

# A device's own attestation (individual enrollment)
KEY1=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
check device attestation create --device-id "$RUN-dev" --content '{"type": "symmetricKey", "symmetricKey": {}}'
check device attestation show --device-id "$RUN-dev"
check device attestation update --device-id "$RUN-dev" --content "{\"symmetricKey\": {\"primaryKey\": \"$KEY1\"}}"
check device attestation delete --device-id "$RUN-dev"

# Properties, telemetry, commands (no device can connect: a command or a telemetry value has no answer)
check device twin show --device-id "$RUN-dev"
check device twin update --device-id "$RUN-dev" --content '{"target": 22}'
check device twin replace --device-id "$RUN-dev" --content '{"target": 23}'
refused "none has been received" "404: no telemetry value received yet" \
  device telemetry show --device-id "$RUN-dev" --telemetry-name--tn temperature
refused "DeviceNotOnline" "404 DeviceNotOnline: the device is not connected" \
  device command run --device-id "$RUN-dev" --command-name reboot --content '{}'
check device command history --device-id "$RUN-dev" --command-name reboot

# Gateways and downstream devices: relationships
check device edge children add --device-id "$RUN-dev" --children-ids "$RUN-child"
check device edge children remove --device-id "$RUN-dev" --children-ids "$RUN-child"
skip "$PRIVATE (GET /system/iothub/devices/{id}/get-twin)" device edge children list --device-id "$RUN-dev"
skip "$PRIVATE" device edge module list --device-id "$RUN-dev"
skip "$PRIVATE" device edge module show --device-id "$RUN-dev" --module-id '$edgeAgent'
skip "$PRIVATE" device edge module restart --device-id "$RUN-dev" --module-id '$edgeAgent'
skip "$PRIVATE (reads the twin to tell an IoT Edge device)" device edge manifest show --device-id "$RUN-dev"
skip "$PRIVATE" device manual-failover --device-id "$RUN-dev"
skip "$PRIVATE" device manual-failback --device-id "$RUN-dev"
skip "$PRIVATE" device c2d-message purge --device-id "$RUN-dev"

# Device groups, jobs, scheduled jobs
check device-group create --device-group-id "$RUN-group" --display-name "Smoke group" --filter "SELECT * FROM devices WHERE \$template = \"$TEMPLATE_ID\""
check device-group list
check device-group show --device-group-id "$RUN-group"
check device-group update --device-group-id "$RUN-group" --display-name "Smoke group, renamed"
check job create --job-id "$RUN-job" --group-id "$RUN-group" --content "$WORK/job.json" --job-name "Smoke job"
check job list
check job show --job-id "$RUN-job"
check job get-devices --job-id "$RUN-job"
refused "has ended" "409: the job has ended (its one device never connected); only a running job can be stopped" \
  job stop --job-id "$RUN-job"
refused "has ended" "409: only a stopped job can be resumed" \
  job resume --job-id "$RUN-job"
check job rerun --job-id "$RUN-job" --rerun-id "$RUN-rerun"
check job show --job-id "$RUN-rerun"
check scheduled-job create --job-id "$RUN-sched" --group-id "$RUN-group" --content "$WORK/job.json" --schedule "$WORK/schedule.json" --job-name "Smoke schedule"
check scheduled-job list
check scheduled-job show --job-id "$RUN-sched"
check scheduled-job update --job-id "$RUN-sched" --job-name "Smoke schedule, renamed"
check scheduled-job list-runs --job-id "$RUN-sched"
check scheduled-job delete --job-id "$RUN-sched"

# Enrollment groups: symmetric keys, then X.509 with proof of possession
check enrollment-group create --group-id "$RUN-enroll" --display-name "Smoke enrollment" --attestation-type symmetricKey --type iot
check enrollment-group list
check enrollment-group show --group-id "$RUN-enroll"
GROUP_KEY=$(echo "$OUT" | json 'd["attestation"]["symmetricKey"]["primaryKey"]' 2>/dev/null)
check enrollment-group update --group-id "$RUN-enroll" --display-name "Smoke enrollment, renamed"
local_check device compute-device-key --device-id "$RUN-dev" --primary-key "$GROUP_KEY"
check enrollment-group delete --group-id "$RUN-enroll"

if command -v openssl >/dev/null 2>&1; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=Smoke $RUN CA" \
    -addext basicConstraints=critical,CA:TRUE -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
  check enrollment-group create --group-id "$RUN-x509" --display-name "Smoke X.509 enrollment" --attestation-type x509 --type iot --certificate-path "$WORK/ca.pem"
  check enrollment-group generate-verification-code --group-id "$RUN-x509" --entry primary
  CODE=$(echo "$OUT" | json 'd["verificationCode"]' 2>/dev/null)
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$CODE" \
    -keyout "$WORK/verify.key" -out "$WORK/verify.csr" 2>/dev/null
  openssl x509 -req -in "$WORK/verify.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 1 \
    -out "$WORK/verify.pem" 2>/dev/null
  check enrollment-group verify-certificate --group-id "$RUN-x509" --certificate-path "$WORK/verify.pem"
  check enrollment-group update --group-id "$RUN-x509" --remove-x509 true --entry primary
  check enrollment-group delete --group-id "$RUN-x509"
else
  skip "openssl is needed to make the certificates" enrollment-group create --attestation-type x509 …
fi

# The file upload configuration
ACCOUNT_KEY=$(head -c 64 /dev/urandom | base64 | tr -d '\n')
check file-upload-config create --connection-string "DefaultEndpointsProtocol=https;AccountName=smokestore;AccountKey=$ACCOUNT_KEY;EndpointSuffix=core.windows.net" --container smoke-files
check file-upload-config show
check file-upload-config update --container smoke-files-2 --sas-ttl PT2H
check file-upload-config delete

# Clean up what was made
check device-group delete --device-group-id "$RUN-group"
check device delete --device-id "$RUN-dev"
check device delete --device-id "$RUN-org-dev"
check device delete --device-id "$RUN-child"
check device-template delete --device-template-id "$TEMPLATE_ID"
check organization delete --org-id "$RUN-org"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
