/**
 * A `lookup` for sockets (net, tls, ws) that resolves every name to 127.0.0.1: the test network has
 * nothing else, and the client still sends the real name (SNI, Host) and checks the certificate for it.
 */
export const loopbackLookup = ((
  _name: string,
  options: { all?: boolean },
  callback: (...args: unknown[]) => void,
) =>
  options?.all
    ? callback(null, [{ address: '127.0.0.1', family: 4 }])
    : callback(null, '127.0.0.1', 4)) as never;
