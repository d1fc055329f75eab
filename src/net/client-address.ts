// Who a request comes from, as far as its connection says: the address a client is counted under
// (rate limits, and the feedback quota when authentication is off).
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * The key an address is counted under: IPv4 as it is (an IPv4-mapped IPv6 address as its IPv4), IPv6
 * by its /64. Undefined when there is no address (the client is gone).
 */
export function addressKey(ip: string | undefined): string | undefined {
  if (ip === undefined || ip === '') return undefined;
  const bare = ip.split('%', 1)[0]!; // a zone id (fe80::1%eth0) is local detail
  if (isIPv4(bare)) return bare;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped !== null && isIPv4(mapped[1]!)) return mapped[1];
  if (!isIPv6(bare)) return bare;
  const [head = '', tail] = bare.toLowerCase().split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * The client's address, or undefined once the client has hung up (its socket's address is gone; with
 * trustProxy, Fastify would otherwise work it out from a socket that no longer has one).
 */
export function clientIp(request: FastifyRequest): string | undefined {
  if (request.raw.socket?.remoteAddress === undefined || request.raw.socket.destroyed) return undefined;
  try {
    return request.ip;
  } catch {
    return undefined;
  }
}
