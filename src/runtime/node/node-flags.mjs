// Plain JavaScript, like start.cjs: read by the build scripts and tests as well.

/**
 * Node options of the server process (`npm start`, the image's CMD, the production
 * package's start).
 *
 * A young generation of 16 MiB from the start, instead of V8's 1 MiB growing under
 * load: loading the server allocates ~17 MB, mostly long-lived (descriptors, compiled
 * rules). At 1 MiB that was a dozen scavenges (8 MiB: spawn to first answer ~250 -> ~220
 * ms); at 8 MiB still one that copied 12 MB (13 ms); at 16 MiB none before the first
 * answer (~15 ms less again, docs/performance.md). Pages are touched only as they are
 * used: idle RSS is the same.
 *
 * No allocation-site pretenuring: under load, a server process now and then fell into a
 * phase of minutes in which garbage collection took 3-5x its usual time per call (16-33
 * µs instead of 3-7 of a ~60-100 µs call; scavenges of ~28 ms instead of ~6, more
 * mark-compacts), and served 10-25% fewer calls. V8 had moved some allocation sites'
 * objects to old space on their own, where those that die young are garbage for the major
 * GC. Side by side, 9 of 20 bench server runs of a few minutes had such a phase without
 * the flag and none of 14 with it; calls per second outside those phases were the same
 * (docs/performance.md, fifteenth session). The price is at start: spawn to first answer
 * took ~55 ms longer (463 against 405 ms, medians of 12 starts in blocks on a slow host),
 * most likely because the objects loading the server makes, nearly all long-lived, are
 * no longer placed in old space from the first. Minutes of a fifth less throughput
 * cost more than that.
 */
export const nodeFlags = ["--min-semi-space-size=16", "--no-allocation-site-pretenuring"];
