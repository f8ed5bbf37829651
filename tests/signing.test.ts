import { afterEach, describe, expect, it } from 'vitest';
import { hex, hmac, useHmac } from '../connectors/signing.js';
import { nodeHmac } from '../src/runtime/node-hmac.js';

// RFC 4231 test case 2 (SHA-256) and RFC 2202 test case 2 (SHA-1).
const key = 'Jefe';
const data = 'what do ya want for nothing?';
const SHA256 = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
const SHA1 = 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79';

afterEach(() => useHmac(null));

describe('webhook HMAC', () => {
  it('Web Crypto (the default) gives the RFC vectors', async () => {
    useHmac(null);
    expect(hex(await hmac('SHA-256', key, data))).toBe(SHA256);
    expect(hex(await hmac('SHA-1', key, data))).toBe(SHA1);
  });

  it("Node's native HMAC gives the same bytes, for string and byte keys and data", async () => {
    useHmac(nodeHmac);
    expect(hex(await hmac('SHA-256', key, data))).toBe(SHA256);
    expect(hex(await hmac('SHA-1', key, data))).toBe(SHA1);
    const bytes = new TextEncoder().encode('sig-key-字节');
    const body = new TextEncoder().encode('{"object":"page","entry":[{"text":"物流单号"}]}');
    const native = hex(await hmac('SHA-256', bytes, body));
    useHmac(null);
    expect(hex(await hmac('SHA-256', bytes, body))).toBe(native);
  });
});
