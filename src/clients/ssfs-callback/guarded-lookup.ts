import { promises as dns } from 'node:dns';
import { Agent } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isForbiddenAddress, type HostResolver } from '../../outbox/callback-url-guard.js';

/** The system resolver: every address of the name, in resolver order. */
export const systemResolver: HostResolver = async (hostname) =>
  (await dns.lookup(hostname, { all: true, order: 'verbatim' })).map((a) => a.address);

/** The code a connection fails with when its name resolves to a forbidden address. */
export const LOOKUP_REFUSED = 'ECALLBACKREFUSED';

/**
 * An https agent whose DNS lookup refuses forbidden addresses. The callback client checks the
 * resolved addresses before sending; this agent makes the socket connect only to addresses
 * that pass the same check at connect time, closing the gap in which a name could be
 * re-pointed between the check and the connection (DNS rebinding).
 */
export function createGuardedAgent(resolve: HostResolver): Agent {
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const wanted = options.family === 6 || options.family === 'IPv6' ? 6 : 4;
        const addresses = found
          .map((address) => ({ address, family: isIP(address) }))
          .filter((a) => a.family !== 0 && (!options.family || a.family === wanted));
        if (addresses.length === 0 || addresses.some((a) => isForbiddenAddress(a.address))) {
          const error: NodeJS.ErrnoException = new Error(`refused to connect to ${hostname}`);
          error.code = LOOKUP_REFUSED;
          callback(error, '', 0);
          return;
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
  return new Agent({ lookup, keepAlive: false });
}
