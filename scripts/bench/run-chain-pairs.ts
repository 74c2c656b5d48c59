/** Seconds of load before each slice's measurement starts (connections opened, first calls made). */
export const sliceWarmUpSeconds = 0.3;

/**
 * The interceptor chain's cost, measured in `pairs` back-to-back pairs of short slices:
 * the full-chain server, then the empty-chain one (the other way round every other
 * pair, so neither always goes first), each loaded for one slice. Resolves to full /
 * empty req/s per pair.
 *
 * Why not only the rounds: a chain row and its twin run 10 s apart there, three times,
 * and this VM's speed moves by up to 2x within minutes: runs gave a chain "costing"
 * -27% to +36% (a full chain faster than none). Slices a second or two apart share the
 * machine's speed far more often, and the median of a dozen pairs outvotes the ones
 * that did not (docs/performance.md).
 */
export async function runChainPairs(
  pairs: number,
  loadFull: () => Promise<number>,
  loadEmpty: () => Promise<number>,
  log: (line: string) => void,
): Promise<number[]> {
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const fullFirst = i % 2 === 0;
    const first = await (fullFirst ? loadFull : loadEmpty)();
    const second = await (fullFirst ? loadEmpty : loadFull)();
    const [full, empty] = fullFirst ? [first, second] : [second, first];
    ratios.push(full / empty);
    log(`    pair ${i + 1}/${pairs}: full ${Math.round(full)}, empty ${Math.round(empty)} req/s, chain cost ${percent(full / empty)}`);
  }
  return ratios;
}

/** A chain cost as printed: 1 - full / empty, in percent. */
export function percent(fullOverEmpty: number): string {
  return `${((1 - fullOverEmpty) * 100).toFixed(1)}%`;
}
