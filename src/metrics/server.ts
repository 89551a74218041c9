// The metrics endpoint: GET /metrics on 127.0.0.1:PORT, OpenMetrics when the scraper asks for it.
import http from 'node:http';
import {CONTENT_TYPE, renderMetrics, type MetricsInput} from './exposition.js';

// Serve the current measurements until close(); resolves once listening.
export async function serveMetrics(port: number, current: () => MetricsInput, host = '127.0.0.1'): Promise<{close: () => Promise<void>}> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end('only /metrics here\n');
      return;
    }
    const format = (req.headers.accept ?? '').includes('application/openmetrics-text') ? 'openmetrics' : 'prometheus';
    res.writeHead(200, {'content-type': CONTENT_TYPE[format]}).end(renderMetrics(current(), format));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {close: () => new Promise((resolve) => server.close(() => resolve()))};
}
