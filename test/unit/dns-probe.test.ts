/** The DNS probe against a real DNS server on loopback (the lab's, on a free port). */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { MAX_CHAIN_NAMES, probeDnsServer, systemFailure } from '../../src/engine/probes/dns.js';
import { parseDnsServer } from '../../src/engine/probes/dns-wire.js';
import { LabZone, startDnsServer, type RunningDnsServer } from '../lab/dns-server.js';

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const { port } = socket.address();
  await new Promise<void>((r) => socket.close(() => r()));
  return port;
}

describe('DNS probe', function () {
  let server: RunningDnsServer;
  let port: number;
  const zone = new LabZone()
    .add('pub.azurecr.io', { type: 'CNAME', data: 'pub.privatelink.azurecr.io' })
    .add('pub.privatelink.azurecr.io', { type: 'CNAME', data: 'fe.azcr.io' })
    .add('fe.azcr.io', { type: 'A', data: '20.45.122.144' }, { type: 'AAAA', data: '2603:1020::1' })
    .add('priv.azurecr.io', { type: 'CNAME', data: 'priv.privatelink.azurecr.io' })
    .add('priv.privatelink.azurecr.io', { type: 'A', data: '10.0.0.7' })
    .add('gone.azurecr.io', { type: 'CNAME', data: 'gone.privatelink.azurecr.io' })
    .add('empty.azurecr.io', { type: 'CNAME', data: 'empty.privatelink.azurecr.io' })
    .add('empty.privatelink.azurecr.io', { type: 'MX' as 'A', data: 'x' })
    .add('loop.azurecr.io', { type: 'CNAME', data: 'loop-b.example.net' })
    .add('loop-b.example.net', { type: 'CNAME', data: 'loop.azurecr.io' })
    .add('long.azurecr.io', { type: 'CNAME', data: 'hop1.example.net' })
    .add('hop1.example.net', { type: 'CNAME', data: 'hop2.example.net' })
    .add('hop2.example.net', { type: 'CNAME', data: 'hop3.example.net' })
    .add('hop3.example.net', { type: 'CNAME', data: 'hop4.example.net' })
    .add('hop4.example.net', { type: 'CNAME', data: 'hop5.example.net' })
    .add('hop5.example.net', { type: 'CNAME', data: 'hop6.example.net' })
    .add('hop6.example.net', { type: 'CNAME', data: 'hop7.example.net' })
    .add('hop7.example.net', { type: 'CNAME', data: 'hop8.example.net' })
    .add('hop8.example.net', { type: 'CNAME', data: 'hop9.example.net' })
    .add('hop9.example.net', { type: 'CNAME', data: 'hop10.example.net' })
    .add('hop10.example.net', { type: 'CNAME', data: 'hop11.example.net' })
    .add('hop11.example.net', { type: 'CNAME', data: 'hop12.example.net' })
    .add('hop12.example.net', { type: 'CNAME', data: 'hop13.example.net' })
    .add('hop13.example.net', { type: 'CNAME', data: 'hop14.example.net' })
    .add('hop14.example.net', { type: 'CNAME', data: 'hop15.example.net' })
    .add('hop15.example.net', { type: 'CNAME', data: 'hop16.example.net' })
    .add('hop16.example.net', { type: 'CNAME', data: 'hop17.example.net' })
    .add('hop17.example.net', { type: 'CNAME', data: 'hop18.example.net' })
    .add('hop18.example.net', { type: 'CNAME', data: 'hop19.example.net' })
    .add('hop19.example.net', { type: 'CNAME', data: 'hop20.example.net' })
    .stage('broken.azurecr.io', 'servfail')
    .stage('closed.azurecr.io', 'refused');

  before(async function () {
    port = await freeUdpPort();
    server = await startDnsServer('127.0.0.1', zone, port);
  });
  after(() => server.close());

  const probe = (name: string, signal = AbortSignal.timeout(2000)) => probeDnsServer({ host: '127.0.0.1', port }, name, signal);

  it('follows the whole CNAME chain and classifies A and AAAA answers', async function () {
    const result = await probe('pub.azurecr.io');
    assert.equal(result.outcome, 'dns.server.ok');
    assert.deepEqual(result.data.chain, ['pub.azurecr.io', 'pub.privatelink.azurecr.io', 'fe.azcr.io']);
    assert.equal(result.data.privatelink, true);
    assert.deepEqual(result.data.addresses, [
      { address: '20.45.122.144', family: 4, class: 'public' },
      { address: '2603:1020::1', family: 6, class: 'public' },
    ]);
  });

  it('classifies a private endpoint address as private', async function () {
    const result = await probe('priv.azurecr.io');
    assert.deepEqual(result.data.addresses, [{ address: '10.0.0.7', family: 4, class: 'private' }]);
  });

  it('tells NXDOMAIN before and after the privatelink alias apart', async function () {
    assert.equal((await probe('nosuch.azurecr.io')).outcome, 'dns.server.nxdomain');
    const after = await probe('gone.azurecr.io');
    assert.equal(after.outcome, 'dns.server.nxdomain-privatelink');
    assert.deepEqual(after.data.chain, ['gone.azurecr.io', 'gone.privatelink.azurecr.io']);
  });

  it('tells SERVFAIL, REFUSED, no data and silence apart', async function () {
    assert.equal((await probe('broken.azurecr.io')).outcome, 'dns.server.servfail');
    assert.equal((await probe('closed.azurecr.io')).outcome, 'dns.server.refused');
    assert.equal((await probe('empty.azurecr.io')).outcome, 'dns.server.nodata');
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    try {
      const result = await probeDnsServer({ host: '127.0.0.1', port: silent.address().port }, 'pub.azurecr.io', AbortSignal.timeout(300));
      assert.equal(result.outcome, 'dns.server.timeout');
    } finally {
      silent.close();
    }
  });

  it('names a CNAME loop and a chain longer than resolvers follow', async function () {
    const loop = await probe('loop.azurecr.io');
    assert.equal(loop.outcome, 'dns.server.loop');
    assert.deepEqual(loop.data.chain, ['loop.azurecr.io', 'loop-b.example.net', 'loop.azurecr.io']);
    const long = await probe('long.azurecr.io');
    assert.equal(long.outcome, 'dns.server.chain-too-long');
    assert.equal((long.data.chain as string[]).length, MAX_CHAIN_NAMES + 1);
  });

  it('knows at once that nothing listens on the server port (ICMP port unreachable), long before the deadline', async function () {
    const closed = await freeUdpPort();
    const started = performance.now();
    const result = await probeDnsServer({ host: '127.0.0.1', port: closed }, 'pub.azurecr.io', AbortSignal.timeout(5000));
    assert.equal(result.outcome, 'dns.server.unreachable');
    assert.ok(performance.now() - started < 2500, 'answered before half the deadline');
  });

  it('asks again when a query is lost, as resolvers do: one dropped datagram on a lossy link is not silence', async function () {
    const lossy = dgram.createSocket('udp4');
    await new Promise<void>((r) => lossy.bind(0, '127.0.0.1', r));
    const seen = new Map<string, number>();
    lossy.on('message', (message, from) => {
      const query = dnsPacket.decode(message);
      const question = query.questions?.[0];
      const key = `${question?.name}/${question?.type}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (seen.get(key) === 1) return; // the first copy of every query is lost
      const answers: dnsPacket.Answer[] = question?.type === 'A' ? [{ type: 'A', name: question.name, data: '20.45.122.144' }] : [];
      lossy.send(dnsPacket.encode({ type: 'response', id: query.id, flags: dnsPacket.RECURSION_DESIRED, questions: query.questions, answers }), from.port, from.address);
    });
    try {
      const result = await probeDnsServer({ host: '127.0.0.1', port: lossy.address().port }, 'lossy.azurecr.io', AbortSignal.timeout(3000));
      assert.equal(result.outcome, 'dns.server.ok');
      assert.ok([...seen.values()].every((n) => n >= 2), 'every query was sent again');
    } finally {
      lossy.close();
    }
  });

  for (const aaaa of ['SERVFAIL', 'REFUSED', 'silent'] as const) {
    it(`a server that answers A but ${aaaa === 'silent' ? 'ignores' : `answers ${aaaa} to`} AAAA still resolves the name, as getaddrinfo does`, async function () {
      const stub = dgram.createSocket('udp4');
      await new Promise<void>((r) => stub.bind(0, '127.0.0.1', r));
      stub.on('message', (message, from) => {
        const query = dnsPacket.decode(message);
        const question = query.questions![0]!;
        if (question.type === 'AAAA' && aaaa === 'silent') return;
        const flags = dnsPacket.RECURSION_DESIRED | (question.type === 'AAAA' ? (aaaa === 'SERVFAIL' ? 2 : 5) : 0);
        const answers: dnsPacket.Answer[] = question.type === 'A' ? [{ type: 'A', name: question.name, data: '20.45.122.144' }] : [];
        stub.send(dnsPacket.encode({ type: 'response', id: query.id, flags, questions: query.questions, answers }), from.port, from.address);
      });
      try {
        const result = await probeDnsServer({ host: '127.0.0.1', port: stub.address().port }, 'v4only.azurecr.io', AbortSignal.timeout(1500));
        assert.equal(result.outcome, 'dns.server.ok');
        assert.deepEqual(result.data.addresses, [{ address: '20.45.122.144', family: 4, class: 'public' }]);
      } finally {
        stub.close();
      }
    });
  }

  it('reads the servers as the system resolver does: the first that answers for the name decides', function () {
    const s1 = { host: '10.0.0.4', port: 53 };
    const s2 = { host: '10.0.0.5', port: 53 };
    const chain = (rcode: string, addresses: string[] = []) => ({ rcode, chain: ['r.azurecr.io'], addresses: addresses.map((address) => ({ address, family: 4 as const, class: 'public' as const })) });
    assert.equal(systemFailure([{ server: s1, failure: 'unreachable' }, { server: s2, chain: chain('NXDOMAIN') }])?.result, 'nxdomain');
    assert.equal(systemFailure([{ server: s1, failure: 'unreachable' }, { server: s2, failure: 'timeout' }])?.result, 'unreachable');
    assert.equal(systemFailure([{ server: s1, chain: chain('SERVFAIL') }, { server: s2, failure: 'timeout' }])?.data.server, '10.0.0.4');
    assert.equal(systemFailure([{ server: s1, chain: chain('REFUSED') }, { server: s2, chain: chain('NOERROR', ['20.45.122.144']) }]), undefined);
    assert.equal(systemFailure([{ server: s1, chain: chain('NOERROR') }])?.result, 'nodata');
    assert.equal(systemFailure([]), undefined);
  });

  it('parses DNS server arguments', function () {
    assert.deepEqual(parseDnsServer('10.0.0.4'), { host: '10.0.0.4', port: 53 });
    assert.deepEqual(parseDnsServer('10.0.0.4:5353'), { host: '10.0.0.4', port: 5353 });
    assert.deepEqual(parseDnsServer('[fd00::53]:54'), { host: 'fd00::53', port: 54 });
    assert.deepEqual(parseDnsServer('fd00::53'), { host: 'fd00::53', port: 53 });
    for (const bad of ['dns.example.com', '10.0.0.4:0', '10.0.0.4:70000', '10.0.0.256', '']) assert.equal(parseDnsServer(bad), undefined, bad);
  });
});
