/**
 * The part of a client address that stands for one client: an IPv4 address whole
 * (IPv4-mapped IPv6 too), an IPv6 address by its /64 prefix. A /64 is one subscriber's
 * network, and a client can use any address in it: counting each address on its own
 * would let a client start a new count with every call.
 */
export function addressGroup(address: string): string {
  if (!address.includes(":")) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = address.split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}
