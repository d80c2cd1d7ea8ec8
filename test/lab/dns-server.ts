/**
 * The lab's DNS server, answering like a recursive resolver would: CNAME chains followed (a loop
 * answered once round, a chain past MAX_CHAIN answered as far as followed, NOERROR either way),
 * NXDOMAIN, NODATA, SERVFAIL and REFUSED as staged. UDP and TCP, on dns-packet.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

export type LabRecord = { type: 'A' | 'AAAA' | 'CNAME'; data: string };
/** `lossy`: the first copy of every UDP query for the name is lost on the way, as on a lossy link; the copies sent again are answered. */
export type Behaviour = 'servfail' | 'refused' | 'lossy';

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const MAX_CHAIN = 10;

export class LabZone {
  readonly records = new Map<string, LabRecord[]>();
  readonly behaviours = new Map<string, Behaviour>();

  add(name: string, ...records: LabRecord[]): this {
    const key = name.toLowerCase();
    this.records.set(key, [...(this.records.get(key) ?? []), ...records]);
    return this;
  }

  stage(name: string, behaviour: Behaviour): this {
    this.behaviours.set(name.toLowerCase(), behaviour);
    return this;
  }

  answer(query: dnsPacket.Packet): dnsPacket.Packet {
    const question = query.questions?.[0];
    const answers: dnsPacket.Answer[] = [];
    let rcode: number = RCODE.NOERROR;
    if (question) {
      let name = question.name.toLowerCase();
      // A loop ends where a name comes back: each CNAME is answered once, as a server answers a loop.
      const seen = new Set<string>();
      for (let hop = 0; hop < MAX_CHAIN && !seen.has(name); hop++) {
        seen.add(name);
        const behaviour = this.behaviours.get(name);
        if (behaviour && behaviour !== 'lossy') {
          rcode = behaviour === 'servfail' ? RCODE.SERVFAIL : RCODE.REFUSED;
          break;
        }
        const records = this.records.get(name);
        if (!records) {
          rcode = RCODE.NXDOMAIN;
          break;
        }
        const cname = records.find((r) => r.type === 'CNAME');
        if (cname && question.type !== 'CNAME') {
          answers.push({ name, type: 'CNAME', ttl: 60, class: 'IN', data: cname.data });
          name = cname.data.toLowerCase();
          continue;
        }
        for (const record of records.filter((r) => r.type === question.type)) {
          answers.push({ name, type: record.type, ttl: 60, class: 'IN', data: record.data } as dnsPacket.Answer);
        }
        break;
      }
    }
    return {
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: query.questions ?? [],
      answers,
    };
  }
}

export interface RunningDnsServer {
  close(): Promise<void>;
}

export async function startDnsServer(address: string, zone: LabZone, port = 53): Promise<RunningDnsServer> {
  const udp = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
  const lost = new Set<string>();
  udp.on('message', (message, remote) => {
    try {
      const query = dnsPacket.decode(message);
      const question = query.questions?.[0];
      const key = `${query.id}|${question?.name.toLowerCase()}|${question?.type}`;
      if (question && zone.behaviours.get(question.name.toLowerCase()) === 'lossy' && !lost.has(key)) return void lost.add(key);
      udp.send(dnsPacket.encode(zone.answer(query)), remote.port, remote.address);
    } catch {
      // a malformed query gets no answer, as from a real server
    }
  });
  await new Promise<void>((resolve) => udp.bind(port, address, resolve));
  const tcp = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        socket.end(dnsPacket.streamEncode(zone.answer(dnsPacket.streamDecode(buffered))));
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => tcp.listen(port, address, resolve));
  return {
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

/** A DNS server that receives and never answers: the resolver times out. */
export async function startSilentDnsServer(address: string, port = 53): Promise<RunningDnsServer> {
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(port, address, resolve));
  const tcp = net.createServer(() => undefined);
  await new Promise<void>((resolve) => tcp.listen(port, address, resolve));
  return {
    close: async () => {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      tcp.close();
    },
  };
}
