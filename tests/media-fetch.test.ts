// Downloads of platform files refuse loopback and private addresses unless
// PARLEY_ALLOW_PRIVATE_NETWORK=1 (media URLs come from webhook bodies).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchFile, isPrivateAddress } from '../connectors/media-fetch.js';
import { PermanentError } from '../connectors/types.js';

const saved = process.env.PARLEY_ALLOW_PRIVATE_NETWORK;
afterEach(() => { process.env.PARLEY_ALLOW_PRIVATE_NETWORK = saved; });

describe('media fetch guard', () => {
  it('classifies private, loopback, link-local and public addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['8.8.8.8', '157.240.1.35', '2a03:2880:f10c:83:face:b00c:0:25de']) expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it('refuses a loopback URL unless PARLEY_ALLOW_PRIVATE_NETWORK=1, and a redirect into one too', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/hop') { res.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/file` }).end(); return; }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('secret');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      delete process.env.PARLEY_ALLOW_PRIVATE_NETWORK;
      await expect(fetchFile(`${url}/file`, { maxBytes: 100, what: 'Test media' })).rejects.toThrow(new PermanentError('Test media: 127.0.0.1 is a private network address, refused'));
      await expect(fetchFile('http://localhost:1/x', { maxBytes: 100, what: 'Test media' })).rejects.toThrow(/localhost is a private network address/);
      process.env.PARLEY_ALLOW_PRIVATE_NETWORK = '1';
      const got = await fetchFile(`${url}/hop`, { maxBytes: 100, what: 'Test media', headers: { authorization: 'Bearer x' } });
      expect(new TextDecoder().decode(got.data)).toBe('secret');
      await expect(fetchFile(`${url}/file`, { maxBytes: 3, what: 'Test media' })).rejects.toThrow(/over the limit/);
      await expect(fetchFile('file:///etc/passwd', { maxBytes: 100, what: 'Test media' })).rejects.toThrow(/file: URLs are not fetched/);
    } finally {
      server.close();
    }
  });
});
