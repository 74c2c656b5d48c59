// Plain JavaScript, like start.cjs: read by the build scripts and tests as well.

/**
 * Node options of the server process (`npm start`, the image's CMD, the production
 * package's start). A young generation of 16 MiB from the start, instead of V8's 1 MiB
 * growing under load: loading the server allocates ~17 MB, mostly long-lived
 * (descriptors, compiled rules). At 1 MiB that was a dozen scavenges (8 MiB: spawn to
 * first answer ~250 -> ~220 ms); at 8 MiB still one that copied 12 MB (13 ms); at 16
 * MiB none before the first answer (~15 ms less again, docs/performance.md). Pages
 * are touched only as they are used: idle RSS is the same.
 */
export const nodeFlags = ["--min-semi-space-size=16"];
