/** The targets for the template Worker. */
export const targets = {
  /** Production bundle, gzip, KiB. */
  bundleGzipKiB: 150,
  /** Startup CPU, template / minimal connect-es Worker. */
  startupRatio: 1.5,
};
