/** The names a new service's files and code are derived from, for `acme.inventory.v1.InventoryService`. */
export interface ServiceNames {
  /** acme.inventory.v1 */
  pkg: string;
  /** inventory: the proto directory, the scope prefix, the error domain (inventory.acme.dev). */
  domain: string;
  /** v1 */
  version: string;
  /** InventoryService */
  service: string;
  /** Inventory (the service name without "Service") */
  base: string;
  /** inventory (base in kebab-case: file names) */
  baseKebab: string;
  /** inventory (base in snake_case: the proto file) */
  baseSnake: string;
  /** InventoryItem: the example resource */
  entity: string;
  /** inventory_items: its table */
  table: string;
}

const packagePattern = /^acme\.([a-z][a-z0-9]*)\.(v[1-9][0-9]*)$/;
const servicePattern = /^[A-Z][a-z0-9]*(?:[A-Z][a-z0-9]*)*Service$/;

/**
 * Splits and checks a fully qualified service name: package `acme.<name>.v<N>` (lower
 * case letters and digits), service PascalCase ending in Service. Returns an error
 * message instead when it does not fit.
 */
export function parseServiceName(fullName: string | undefined): ServiceNames | { error: string } {
  if (!fullName) return { error: "give the service's full name, e.g. acme.inventory.v1.InventoryService" };
  const dot = fullName.lastIndexOf(".");
  const pkg = fullName.slice(0, dot);
  const service = fullName.slice(dot + 1);
  const match = packagePattern.exec(pkg);
  if (dot < 0 || !match) {
    return { error: `"${pkg}" is not a package of the form acme.<name>.v<N> (lower case letters and digits, e.g. acme.inventory.v1)` };
  }
  if (!servicePattern.test(service) || service === "Service") {
    return { error: `"${service}" is not a service name: PascalCase ending in Service, e.g. InventoryService` };
  }
  const base = service.slice(0, -"Service".length);
  return {
    pkg,
    domain: match[1]!,
    version: match[2]!,
    service,
    base,
    baseKebab: kebab(base),
    baseSnake: snake(base),
    entity: `${base}Item`,
    table: `${snake(base)}_items`,
  };
}

/** GetThing -> getThing (the method's name in a ServiceImpl). */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** InventoryItem -> inventory-item */
export function kebab(name: string): string {
  return words(name).join("-");
}

/** InventoryItem -> inventory_item */
export function snake(name: string): string {
  return words(name).join("_");
}

/** InventoryItem -> INVENTORY_ITEM */
export function upperSnake(name: string): string {
  return snake(name).toUpperCase();
}

/** InventoryItem -> ["inventory", "item"] */
function words(name: string): string[] {
  return name.split(/(?=[A-Z])/).map((word) => word.toLowerCase());
}
