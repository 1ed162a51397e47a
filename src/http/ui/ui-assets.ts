import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** Where `npm run build` puts the web application: dist-ui/ at the repository root. */
export const UI_ASSET_DIR = fileURLToPath(new URL('../../../dist-ui/', import.meta.url))

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

export interface Asset {
  body: Buffer
  contentType: string
}

/**
 * Reads built files once and keeps them: the bundle is small and never changes while the server
 * runs. Paths that climb out of the asset folder or name no file are `null`.
 */
export class UiAssets {
  private readonly cache = new Map<string, Asset | null>()

  constructor(private readonly root = UI_ASSET_DIR) {}

  async get(relative: string): Promise<Asset | null> {
    const cached = this.cache.get(relative)
    if (cached !== undefined) return cached
    const full = path.resolve(this.root, relative)
    if (!full.startsWith(this.root)) return null
    const contentType = CONTENT_TYPES[path.extname(full)]
    let asset: Asset | null = null
    if (contentType) {
      try {
        asset = { body: await readFile(full), contentType }
      } catch {
        asset = null
      }
    }
    this.cache.set(relative, asset)
    return asset
  }
}
