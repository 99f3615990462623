import { describe, expect, it } from 'vitest';
import { corsHeaders } from '../../../src/server/cors.js';

describe('corsHeaders', () => {
  it('sends nothing without CORS options or an Origin header', () => {
    expect(corsHeaders(undefined, 'https://a.example', true)).toEqual({});
    expect(corsHeaders({ origins: '*' }, null, false)).toEqual({});
  });

  it('echoes an allowed origin, with credentials and preflight details', () => {
    expect(corsHeaders({ origins: ['https://a.example'], credentials: true, maxAgeSeconds: 60 }, 'https://a.example', true)).toEqual({
      'Access-Control-Allow-Origin': 'https://a.example',
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'authorization, content-type',
      'Access-Control-Max-Age': '60',
      Vary: 'Origin',
    });
  });

  it('answers * for any origin without credentials, and nothing but Vary for other origins', () => {
    expect(corsHeaders({ origins: '*' }, 'https://b.example', false)).toMatchObject({ 'Access-Control-Allow-Origin': '*' });
    expect(corsHeaders({ origins: ['https://a.example'] }, 'https://b.example', false)).toEqual({ Vary: 'Origin' });
  });
});
