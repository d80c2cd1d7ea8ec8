/**
 * Request lines and headers for the raw-socket fuzzing of the bot's endpoints: content types and
 * encodings the bot must refuse or accept, browser and proxy headers, and any header at all.
 */
import fc from 'fast-check';
import type { RawRequest } from './raw-http.js';

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset="UTF-8"',
  'APPLICATION/JSON',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json, text/plain',
  'application/json; boundary=x',
  'application/jsonp',
  'application/json-patch+json',
  'application/vnd.api+json',
  'text/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  '*/*',
  '',
  ';',
];

const ENCODINGS = ['identity', 'IDENTITY', ' identity ', '', 'gzip', 'x-gzip', 'deflate', 'br', 'zstd', 'compress', 'GZIP', 'gzip, identity', 'identity, gzip', 'chunked', 'unknown'];

const HEADER_NAMES = ['Origin', 'Authorization', 'X-Forwarded-For', 'Forwarded', 'Accept', 'Accept-Encoding', 'Accept-Charset', 'Expect', 'User-Agent', 'Cookie', 'Content-Language', 'Content-MD5', 'Content-Range', 'Range', 'If-Match', 'Via', 'X-HTTP-Method-Override', 'Upgrade', 'TE', 'Trailer'];
/** Headers that would change the request's framing: the raw client sets those itself. */
const FRAMING = /^(content-length|transfer-encoding|host|connection)$/i;

const headerName = fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}$/)).filter((name) => !FRAMING.test(name));
/** Any byte but CR and LF (which would start another header); Node itself refuses the other controls. */
const headerValue = fc.oneof(
  fc.constantFrom('http://localhost:56150', 'http://evil.example', 'null', 'Bearer x.y.z', '198.51.100.1, 203.0.113.9', '::1', '100-continue', '*', 'gzip, br'),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, '')),
);

/** The header, present in `weight` of `weight + 1` requests. */
const header = (name: string, values: fc.Arbitrary<string>, weight: number): fc.Arbitrary<[string, string][]> =>
  fc.oneof({ arbitrary: values.map((v): [string, string][] => [[name, v]]), weight }, { arbitrary: fc.constant<[string, string][]>([]), weight: 1 });

/** Everything of a request but its body. */
export const fuzzedHeaders: fc.Arbitrary<Omit<RawRequest, 'body'>> = fc.record({
  method: fc.oneof({ arbitrary: fc.constant('POST'), weight: 8 }, { arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE'), weight: 1 }),
  path: fc.oneof(
    { arbitrary: fc.constantFrom('/api/messages', '/api/reports'), weight: 3 },
    { arbitrary: fc.constantFrom('/api/messages?x=1', '/api/reports/', '/API/MESSAGES', '//api/messages', '/api/messages/../reports', '/healthz', '/'), weight: 1 },
  ),
  headers: fc
    .tuple(
      header('Content-Type', fc.oneof({ arbitrary: fc.constantFrom(...CONTENT_TYPES.slice(0, 3)), weight: 4 }, { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 4 }, { arbitrary: headerValue, weight: 1 }), 8),
      // A second Content-Type, now and then: which one does the bot believe?
      fc.oneof({ arbitrary: header('Content-Type', fc.constantFrom(...CONTENT_TYPES), 1), weight: 1 }, { arbitrary: fc.constant<[string, string][]>([]), weight: 6 }),
      fc.oneof({ arbitrary: header('Content-Encoding', fc.oneof({ arbitrary: fc.constantFrom(...ENCODINGS), weight: 4 }, { arbitrary: headerValue, weight: 1 }), 1), weight: 1 }, { arbitrary: fc.constant<[string, string][]>([]), weight: 1 }),
      fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
    )
    .map(([type, secondType, encoding, others]) => [...type, ...secondType, ...encoding, ...others]),
  chunked: fc.boolean(),
});
