import { describe, expect, it, vi } from 'vitest';
import { createTokenService } from '../../../src/server/index.js';

// An app that did not install the optional peer dependency.
vi.mock('@azure/communication-identity', () => {
  throw new Error("Cannot find package '@azure/communication-identity'");
});

describe('createTokenService without @azure/communication-identity', () => {
  const service = createTokenService({ connectionString: 'endpoint=https://x.communication.azure.com/;accesskey=a2V5', authenticate: () => 'ada' });

  it('rejects issue() with INVALID_OPTIONS saying what to install', async () => {
    await expect(service.issue('ada')).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
      message: expect.stringContaining('npm install @azure/communication-identity'),
    });
  });

  it('answers 500 over HTTP without naming the key', async () => {
    const response = await service.fetchHandler(new Request('http://localhost/api/token', { method: 'POST' }));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('a2V5');
  });
});
