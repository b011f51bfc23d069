/** fast-check arbitraries for option values the schema accepts, shared by the property tests. */
import fc from 'fast-check';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
export const domain = fc
  .tuple(
    fc.boolean(),
    fc.array(label, { minLength: 1, maxLength: 3 }),
    fc.constantFrom('com', 'test', 'example'),
  )
  .map(([wildcard, labels, tld]) => `${wildcard ? '*.' : ''}${[...labels, tld].join('.')}`);
export const port = fc.integer({ min: 1, max: 65535 });
export const backend = fc.oneof(
  port.map(String),
  fc.tuple(fc.constantFrom('127.0.0.1', '10.1.2.3', 'localhost', '[::1]'), port).map(([h, p]) => `${h}:${p}`),
);
export const urlPath = fc.stringMatching(/^\/[A-Za-z0-9._~/-]{0,20}$/);
export const duration = fc
  .tuple(fc.integer({ min: 1, max: 168 }), fc.constantFrom('s', 'm', 'h'))
  .map(([n, u]) => `${n}${u}`);
