/** DNS queries on the wire (UDP, TCP when truncated), so that rcodes and CNAME chains stay visible. */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { raceSignal, timeoutError } from '../net/deadlines.js';

export interface DnsServer {
  host: string;
  port: number;
}

export type RecordType = 'A' | 'AAAA' | 'CNAME';

export interface DnsAnswer {
  name: string;
  type: string;
  data: string;
}

export interface DnsResponse {
  rcode: string;
  answers: DnsAnswer[];
}

/** Parses `host`, `host:port`, `[v6]:port` or a bare IPv6 address. */
export function parseDnsServer(text: string): DnsServer | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return checked(bracketed[1]!, bracketed[2]);
  if (net.isIPv6(text)) return { host: text, port: 53 };
  const [host, port, ...rest] = text.split(':');
  if (rest.length > 0 || host === undefined) return undefined;
  return checked(host, port);
}

function checked(host: string, port: string | undefined): DnsServer | undefined {
  const portNumber = port === undefined ? 53 : Number(port);
  if (!net.isIP(host) || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) return undefined;
  return { host, port: portNumber };
}

export function formatDnsServer(server: DnsServer): string {
  const host = net.isIPv6(server.host) ? `[${server.host}]` : server.host;
  return server.port === 53 ? host : `${host}:${server.port}`;
}

function encodeQuery(id: number, name: string, type: RecordType): dnsPacket.Packet {
  return { type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] };
}

function toResponse(packet: dnsPacket.DecodedPacket): DnsResponse {
  const rcode = (packet as dnsPacket.DecodedPacket & { rcode?: string }).rcode ?? 'NOERROR';
  const answers: DnsAnswer[] = [];
  for (const answer of packet.answers ?? []) {
    if (answer.type === 'A' || answer.type === 'AAAA' || answer.type === 'CNAME') {
      answers.push({ name: answer.name.toLowerCase(), type: answer.type, data: String(answer.data).toLowerCase() });
    }
  }
  return { rcode, answers };
}

/** One query; the signal bounds it. Throws on network failure or timeout. */
export async function queryDns(server: DnsServer, name: string, type: RecordType, signal: AbortSignal): Promise<DnsResponse> {
  const id = randomInt(0, 65536);
  const packet = await raceSignal(udpQuery(server, encodeQuery(id, name, type), id, signal), signal);
  if (!packet.flag_tc) return toResponse(packet);
  return toResponse(await raceSignal(tcpQuery(server, encodeQuery(id, name, type), signal), signal));
}

/** Over a connected socket, so that a closed port (ICMP port unreachable) fails at once instead of at the deadline. */
function udpQuery(server: DnsServer, query: dnsPacket.Packet, id: number, signal: AbortSignal): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(timeoutError());
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    let closed = false;
    const close = (): void => {
      signal.removeEventListener('abort', close);
      if (closed) return;
      closed = true;
      socket.close();
    };
    signal.addEventListener('abort', close, { once: true });
    socket.on('error', (err) => {
      close();
      reject(err);
    });
    socket.on('message', (message) => {
      let packet: dnsPacket.DecodedPacket;
      try {
        packet = dnsPacket.decode(message);
      } catch {
        return; // not a DNS answer; keep waiting for the real one
      }
      if (packet.id !== id) return;
      close();
      resolve(packet);
    });
    // A lost datagram is sent again, as resolvers do, so one dropped packet on a lossy link is not called silence.
    const payload = dnsPacket.encode(query);
    let connected = false;
    const send = (): void => {
      if (connected && !closed) socket.send(payload, (err) => err && fail(err));
    };
    const fail = (err: Error): void => {
      close();
      reject(err);
    };
    const resend = RESEND_AFTER_MS.map((ms) => setTimeout(send, ms).unref());
    socket.once('close', () => resend.forEach(clearTimeout));
    // A failed connect (no route to the server) reaches only this callback, never the 'error' event.
    socket.connect(server.port, server.host, (err?: Error) => {
      if (err) return fail(err);
      connected = true;
      send();
    });
  });
}

/** When an unanswered query goes out again: 1 s, then 2 s later, then every 2 s, until the deadline. */
const RESEND_AFTER_MS = [1000, 3000, 5000, 7000, 9000];

function tcpQuery(server: DnsServer, query: dnsPacket.Packet, signal: AbortSignal): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: server.host, port: server.port });
    const onAbort = (): void => {
      socket.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let buffered = Buffer.alloc(0);
    socket.on('connect', () => socket.write(dnsPacket.streamEncode(query)));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      try {
        resolve(dnsPacket.streamDecode(buffered) as dnsPacket.DecodedPacket);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    socket.on('close', () => reject(new Error('DNS server closed the TCP connection')));
  });
}
