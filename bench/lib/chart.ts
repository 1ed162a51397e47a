/** A horizontal bar chart of requests per second, as a standalone SVG document. */
export function barChart(title: string, bars: { label: string; value: number; note: string; floor?: boolean }[]): string {
  const width = 1100
  const barHeight = 28
  const gap = 12
  const left = 480
  const top = 50
  const max = Math.max(...bars.map((b) => b.value), 1)
  const scale = (width - left - 150) / max
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  const rows = bars.map((bar, i) => {
    const y = top + i * (barHeight + gap)
    const w = Math.max(1, Math.round(bar.value * scale))
    return [
      `<text x="${left - 10}" y="${y + 19}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${w}" height="${barHeight}" fill="${bar.floor ?? i === 0 ? '#8a8f98' : '#2f6fde'}"/>`,
      `<text x="${left + w + 8}" y="${y + 19}">${escape(`${Math.round(bar.value).toLocaleString('en-US')} req/s ${bar.note}`)}</text>`,
    ].join('')
  })
  const height = top + bars.length * (barHeight + gap) + 20
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="28" font-size="16" font-weight="bold">${escape(title)}</text>
${rows.join('\n')}
</svg>
`
}
