/**
 * An HTTP proxy in front of a real server that injects faults at the wire level: for chosen requests it
 * answers an S3-style error (503 SlowDown, 500 InternalError...) or drops the connection instead of
 * forwarding. Headers go through untouched, so SigV4 signatures still verify at the server behind it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
}

/** Answer an S3 error, drop the connection, or hold the request unanswered until `hold` settles, then drop it. */
export type Fault = { status: number; code: string; message?: string } | { reset: true } | { hold: Promise<void> };

export interface FaultProxy {
  endpoint: string;
  /** Every request that reached the proxy, in order. */
  seen: SeenRequest[];
  /** Decides per request; return a fault to inject it, undefined to forward. */
  inject: (req: SeenRequest, nth: number) => Fault | undefined;
  close(): Promise<void>;
}

const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const proxy: FaultProxy = { endpoint: '', seen: [], inject: () => undefined, close: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    const seen = { method: req.method ?? 'GET', url: req.url ?? '/' };
    proxy.seen.push(seen);
    const fault = proxy.inject(seen, proxy.seen.length);
    if (fault && 'hold' in fault) {
      // The request never reaches the server: a worker that dies meanwhile never learns its fate.
      void fault.hold.then(() => req.socket.destroy());
      return;
    }
    if (fault) {
      req.resume();
      req.on('end', () => {
        if ('reset' in fault) {
          req.socket.destroy();
          return;
        }
        const body = errorXml(fault.code, fault.message ?? fault.code);
        res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    forward();

    function forward() {
      const upstreamReq = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstreamReq.on('error', () => res.destroy());
      req.pipe(upstreamReq);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** The S3 operation a request is, as far as the tests need to tell. */
export function s3Operation(r: SeenRequest): string {
  const q = new URL(r.url, 'http://x').searchParams;
  if (r.method === 'PUT' && q.has('partNumber')) return 'UploadPart';
  if (r.method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
  if (r.method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
  if (r.method === 'GET' && q.has('uploadId')) return 'ListParts';
  if (r.method === 'GET' && q.has('uploads')) return 'ListMultipartUploads';
  if (r.method === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload';
  if (r.method === 'PUT') return 'PutObject';
  if (r.method === 'HEAD') return 'HeadObject';
  if (r.method === 'DELETE') return 'DeleteObject';
  return `${r.method}`;
}
