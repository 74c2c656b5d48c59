// Plain JavaScript, like start.mjs: read by the build scripts and tests as well.

/**
 * Node options of the server process (`npm start`, the image's CMD, the production
 * package's start). A young generation of 8 MiB from the start, instead of V8's 1 MiB
 * growing under load: loading the server and its first call allocate enough to trigger
 * a dozen scavenges, and spawn to first answer went from ~250 to ~220 ms (docs/performance.md).
 */
export const nodeFlags = ["--min-semi-space-size=8"];
