import { spawnSync } from "node:child_process";

/** Debian's `prometheus` package installs both (the CI installs it when missing). */
export const hasPrometheus = spawnSync("prometheus", ["--version"]).status === 0 && spawnSync("promtool", ["--version"]).status === 0;

export const missingPrometheus = "prometheus/promtool are not installed (Debian/Ubuntu: apt-get install prometheus)";

/** The shipped Prometheus files. */
export const prometheusDir = new URL("../../deploy/prometheus/", import.meta.url).pathname;
