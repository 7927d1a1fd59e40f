// @fastify/static's setup for the built page: precompressed siblings, and cache headers by kind of file.
import fastifyStatic, { type FastifyStaticOptions } from '@fastify/static'

export default fastifyStatic

/** Bundles whose names carry a content hash (build.mjs) never change: cache them for a year. */
const HASHED_ASSET = /-[A-Z0-9]{8}\.(js|css)(\.map)?$/

function cacheHeaders(reply: { header(name: string, value: string): unknown }, file: string) {
  const path = file.replace(/\.(br|gz)$/, '') // the precompressed sibling stands for its original
  if (HASHED_ASSET.test(path)) reply.header('cache-control', 'public, max-age=31536000, immutable')
  else if (path.endsWith('/widget.js')) {
    // Other sites load the embed loader with a <script> tag: allow that, and let updates reach them within the hour.
    reply.header('cross-origin-resource-policy', 'cross-origin')
    reply.header('cache-control', 'public, max-age=3600')
  }
  else if (path.endsWith('.html')) reply.header('cache-control', 'no-store')
  else reply.header('cache-control', 'public, max-age=86400')
}

/** The options app.ts registers @fastify/static with, serving `root` (dist/web). */
export function staticOptions(root: string): FastifyStaticOptions {
  // preCompressed: build.mjs writes .br/.gz siblings; the best one the client accepts is sent.
  return { root, index: false, wildcard: false, preCompressed: true, setHeaders: cacheHeaders }
}
