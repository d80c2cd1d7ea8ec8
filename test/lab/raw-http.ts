/**
 * HTTP/1.1 written byte by byte on a loopback socket, for requests a well-behaved client refuses to
 * send: any header name or value, several Content-Types, chunked bodies, bytes that are not UTF-8.
 */
import net from 'node:net';

export interface RawAnswer {
  /** The final status (informational 1xx skipped); undefined when the server closed without one. */
  status: number | undefined;
  /** The response as received, headers and body, for a failure message. */
  text: string;
}

export interface RawRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body: Buffer;
  /** Sends the body in chunked encoding instead of with a Content-Length. */
  chunked?: boolean;
}

function chunkedBody(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += 4096) {
    const piece = body.subarray(at, at + 4096);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** The request's bytes: the headers given, then Host, framing and `Connection: close`. */
export function requestBytes(port: number, request: RawRequest): Buffer {
  const framing: [string, string][] = request.chunked ? [['Transfer-Encoding', 'chunked']] : [['Content-Length', String(request.body.length)]];
  const lines = [`${request.method} ${request.path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...[...request.headers, ...framing, ['Connection', 'close']].map(([name, value]) => `${name}: ${value}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), request.chunked ? chunkedBody(request.body) : request.body]);
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})/gm;

/** Sends the request to 127.0.0.1:port and reads until the server closes (or `timeoutMs` passes). */
export function rawRequest(port: number, request: RawRequest, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (): void => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(STATUS_LINE)].map((m) => Number(m[1]));
      resolve({ status: statuses.find((s) => s >= 200), text: text.slice(0, 2000) });
    };
    socket.setTimeout(timeoutMs, finish);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', finish);
    socket.on('error', finish);
    socket.on('connect', () => socket.write(requestBytes(port, request)));
  });
}
