/** The parts of a package.json the deployable folder's own package.json is made from. */
export interface ProjectManifest {
  name: string;
  version: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** The package an import path belongs to: `@scope/name/sub` -> `@scope/name`. */
export function packageOf(importPath: string): string {
  const parts = importPath.split("/");
  return (importPath.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

/**
 * The package.json of the deployable folder: a start command and, as dependencies, only
 * the packages the bundle still imports at run time (`external`, Node built-ins already
 * left out), at the versions the project pins. Throws when the bundle needs a package the
 * project does not list as a production dependency: `npm install --omit=dev` would not
 * install it and the server would fail at its first import.
 */
export function productionPackage(project: ProjectManifest, external: readonly string[], start: string): Record<string, unknown> {
  const dependencies: Record<string, string> = {};
  for (const name of new Set(external.map(packageOf))) {
    const version = project.dependencies?.[name];
    if (version === undefined) {
      throw new Error(`the server bundle imports "${name}" at run time, but it is not in package.json "dependencies"`);
    }
    dependencies[name] = version;
  }
  return {
    name: `${project.name}-node`,
    version: project.version,
    private: true,
    type: "module",
    ...(project.engines ? { engines: project.engines } : {}),
    scripts: { start },
    ...(Object.keys(dependencies).length > 0 ? { dependencies } : {}),
  };
}
