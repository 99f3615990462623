import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../../src/emulator/index.js';

describe('startEmulator options', () => {
  it('lists every problem in one INVALID_OPTIONS error, before binding anything', async () => {
    const error = await startEmulator({ port: 70000, host: '', accessKey: 'not base64!', maxBodyBytes: 10, portt: 1 } as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SessionError', code: 'INVALID_OPTIONS' });
    for (const part of ['port must', 'host must', 'accessKey', 'maxBodyBytes', 'portt']) expect((error as Error).message).toContain(part);
    await expect(startEmulator(null as never)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });

  it('rejects a bad clock step with INVALID_ARGUMENT', async () => {
    const emu = await startEmulator();
    try {
      expect(() => emu.advanceClock(Number.NaN)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    } finally {
      await emu.close();
    }
  });
});
