import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { html, page, PAGE_HEADERS } from '../../src/idp/views/html.js'

describe('identity provider pages', () => {
  it('carry a style element whose exact text the Content-Security-Policy hash allows', () => {
    const markup = page('Sign in', html`<p>hello</p>`)
    const style = /<style>([\s\S]*?)<\/style>/.exec(markup)?.[1]
    assert.ok(style, 'a style element')
    const hash = createHash('sha256').update(style).digest('base64')
    assert.ok(
      PAGE_HEADERS['content-security-policy']!.includes(`'sha256-${hash}'`),
      'a browser applies the style only when its hash is listed',
    )
  })
})
