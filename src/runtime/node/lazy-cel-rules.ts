import { readFile } from "node:fs/promises";
import type { Plugin } from "esbuild";

/**
 * protovalidate 1.3 compiles every standard CEL rule of a rule type (all of StringRules,
 * all of Int32Rules...) the first time a message uses that type, although it then runs
 * only the rules a field sets, and most of those natively without CEL. On the first
 * request that was ~90 ms of `npm start`'s ~265 ms cold start (docs/performance.md). This esbuild
 * plugin makes the bundle compile each standard rule on first use instead: the planner
 * reads `compiled` only for rules that are set and not handled natively, and
 * `compileRule` returns compilation errors as values, so what is compiled, and every
 * result, is the same; only when changes. If the source no longer has the expected
 * shape the build fails, rather than quietly shipping the eager version.
 */
export const lazyCelRules: Plugin = {
  name: "lazy-cel-rules",
  setup(build) {
    build.onLoad({ filter: /[\\/]@bufbuild[\\/]protovalidate[\\/]dist[\\/]esm[\\/]cel\.js$/ }, async (args) => ({
      contents: makeRulesLazy(await readFile(args.path, "utf8")),
      loader: "js",
    }));
  },
};

const eager = /standard\.push\(\{\s*field,\s*rule,\s*compiled: this\.compileRule\(rule\),\s*\}\);/;

/** protovalidate's cel.js with its standard rule plans compiled on first use. */
export function makeRulesLazy(source: string): string {
  if (!eager.test(source)) {
    throw new Error("lazy-cel-rules: @bufbuild/protovalidate's cel.js changed; review src/runtime/node/lazy-cel-rules.ts");
  }
  return `${source.replace(eager, "standard.push(lazyRulePlan(this, field, rule));")}
function lazyRulePlan(manager, field, rule) {
    let compiled;
    return { field, rule, get compiled() { return (compiled ??= manager.compileRule(rule)); } };
}
`;
}
