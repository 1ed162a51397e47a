#!/usr/bin/env bash
# Runs Microsoft's `az iot central` commands against a running OpenCentral and prints one
# PASS/FAIL line per command. Not part of `npm test`: it needs the Azure CLI with the azure-iot
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
      { "@type": "Property", "name": "target", "schema": "double", "writable": true }
    ]
  }
}
EOF
cat >"$WORK/job.json" <<'EOF'
[{ "type": "property", "target": "dtmi:opencentral:smoke:cm;1", "path": "target", "value": 21 }]
EOF
cat >"$WORK/schedule.json" <<'EOF'
{ "start": "2030-01-01T00:00:00.000Z", "recurrence": "daily", "end": { "type": "occurrences", "occurrences": 3 } }
EOF

passed=0
failed=0
check() {
  local output
  if output=$(az iot central "$@" --app-id "$APP_ID" --central-dns-suffix "$SUFFIX" --token "$TOKEN" --only-show-errors 2>&1); then
    echo "PASS  az iot central $*"
    passed=$((passed + 1))
  else
    echo "FAIL  az iot central $*"
    if [ -n "${OC_VERBOSE:-}" ]; then echo "$output" | grep -m1 -E 'ERROR|Error|error' | sed 's/^/      /'; fi
    failed=$((failed + 1))
  fi
}

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
check device list
check device show --device-id "$RUN-dev"
check device update --device-id "$RUN-dev" --device-name "Smoke device, renamed"
check device registration-info --device-id "$RUN-dev"
check device show-credentials --device-id "$RUN-dev"
check device attestation show --device-id "$RUN-dev"
check device list-components --device-id "$RUN-dev"
check device list-modules --device-id "$RUN-dev"
check device twin show --device-id "$RUN-dev"
check device command history --device-id "$RUN-dev" --command-name reboot
check device edge children list --device-id "$RUN-dev"

# Device groups, jobs, scheduled jobs
check device-group create --device-group-id "$RUN-group" --display-name "Smoke group" --filter "SELECT * FROM devices WHERE \$template = \"$TEMPLATE_ID\""
check device-group list
check device-group show --device-group-id "$RUN-group"
check device-group update --device-group-id "$RUN-group" --display-name "Smoke group, renamed"
check job create --job-id "$RUN-job" --group-id "$RUN-group" --content "$WORK/job.json" --job-name "Smoke job"
check job list
check job show --job-id "$RUN-job"
check job get-devices --job-id "$RUN-job"
check scheduled-job create --job-id "$RUN-sched" --group-id "$RUN-group" --content "$WORK/job.json" --schedule "$WORK/schedule.json" --job-name "Smoke schedule"
check scheduled-job list
check scheduled-job show --job-id "$RUN-sched"
check scheduled-job delete --job-id "$RUN-sched"

# Enrollment groups and the file upload configuration
check enrollment-group create --group-id "$RUN-enroll" --display-name "Smoke enrollment" --attestation-type symmetricKey --type iot
check enrollment-group list
check enrollment-group show --group-id "$RUN-enroll"
check enrollment-group update --group-id "$RUN-enroll" --display-name "Smoke enrollment, renamed"
check enrollment-group delete --group-id "$RUN-enroll"
check file-upload-config show

# Clean up what was made
check device-group delete --device-group-id "$RUN-group"
check device delete --device-id "$RUN-dev"
check device delete --device-id "$RUN-org-dev"
check device-template delete --device-template-id "$TEMPLATE_ID"
check organization delete --org-id "$RUN-org"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
