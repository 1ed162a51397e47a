/** The IoT Central shape of a device row, as the baseline servers answer it. */
export function deviceView(row: Record<string, unknown>) {
  return {
    id: row.id,
    etag: row.etag,
    displayName: row.display_name,
    template: row.template ?? undefined,
    enabled: row.enabled === 1,
    provisioned: row.provisioned === 1,
    simulated: row.simulated === 1,
  }
}
