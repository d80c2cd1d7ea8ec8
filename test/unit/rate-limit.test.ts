/** Who a request counts against, and a limiter whose memory and cost stay bounded. */
import assert from 'node:assert/strict';
import { clientAddress, rateKey } from '../../src/bot/http/client-address.js';
import { RateLimit } from '../../src/bot/http/rate-limit.js';

describe('rate limit', function () {
  it('behind trusted proxies, the client is the entry the outermost one added, not what the client wrote on the left', function () {
    assert.equal(clientAddress('10.0.0.9', 'spoofed-by-client, 198.51.100.7', 1), '198.51.100.7');
    assert.equal(clientAddress('10.0.0.9', '1.2.3.4, 198.51.100.7, 10.0.0.1', 2), '198.51.100.7');
    assert.equal(clientAddress('10.0.0.9', ['1.2.3.4', '198.51.100.7'], 1), '198.51.100.7');
    assert.equal(clientAddress('10.0.0.9', '198.51.100.7', 0), '10.0.0.9', 'untrusted: the socket');
    assert.equal(clientAddress('10.0.0.9', undefined, 1), '10.0.0.9');
    assert.equal(clientAddress('10.0.0.9', '198.51.100.7', 3), '10.0.0.9', 'fewer hops than trusted proxies: the socket');
  });

  it('counts IPv6 clients by their /64 and IPv4-mapped addresses as IPv4', function () {
    assert.equal(rateKey('2001:db8:1:2:aaaa::1'), rateKey('2001:db8:1:2:bbbb::2'));
    assert.notEqual(rateKey('2001:db8:1:2::1'), rateKey('2001:db8:1:3::1'));
    assert.equal(rateKey('::ffff:198.51.100.7'), '198.51.100.7');
    assert.equal(rateKey('[2001:db8:1:2::1]'), '2001:db8:1:2::/64');
  });

  it('counts a client the same on every connection: the port a proxy writes (App Service) is dropped', function () {
    assert.equal(rateKey('203.0.113.7:51234'), '203.0.113.7');
    assert.equal(rateKey('203.0.113.7:443'), rateKey('203.0.113.7'));
    assert.equal(rateKey('[2001:db8:1:2::1]:51234'), '2001:db8:1:2::/64');
    assert.equal(rateKey(clientAddress('10.0.0.9', 'spoofed, 198.51.100.7:61000', 1)), '198.51.100.7');
  });

  it('remembers at most maxClients, forgetting the least recently seen, and still limits the recent ones', function () {
    let now = 0;
    const limit = new RateLimit(2, () => now, 100);
    for (let i = 0; i < 1000; i++) limit.take(`client-${i}`);
    assert.equal(limit.clients, 100);
    now = 1;
    assert.equal(limit.take('client-999'), undefined);
    assert.ok(limit.take('client-999')! > 0, 'the third request within a minute is held back');
  });
});
