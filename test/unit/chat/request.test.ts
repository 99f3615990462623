import { describe, expect, it } from 'vitest';
import { runRequest } from '../../../src/chat/request.js';
import { sendChatMessage } from '../../../src/chat/send.js';
import { FakeChatService, fakeContext, restError } from '../../support/fakeChat.js';

const ME = '8:acs:r_me';

describe('runRequest', () => {
  it('after a 401 forces one token refresh and retries once', async () => {
    const { context, refreshes } = fakeContext(new FakeChatService(), ME);
    let calls = 0;
    const result = await runRequest(context, { operation: 'Testing' }, async () => {
      if (++calls === 1) throw restError(401, 'Unauthorized');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(refreshes()).toBe(1);
  });

  it('a second 401 is UNAUTHORIZED with the status kept', async () => {
    const { context, refreshes } = fakeContext(new FakeChatService(), ME);
    await expect(runRequest(context, { operation: 'Testing' }, async () => Promise.reject(restError(401, 'Unauthorized')))).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      status: 401,
      acsCode: 'Unauthorized',
    });
    expect(refreshes()).toBe(1);
  });

  it('maps 403 to NOT_A_PARTICIPANT and 404 to what is missing', async () => {
    const { context } = fakeContext(new FakeChatService(), ME);
    await expect(runRequest(context, { operation: 'T' }, async () => Promise.reject(restError(403, 'Forbidden')))).rejects.toMatchObject({
      code: 'NOT_A_PARTICIPANT',
    });
    await expect(runRequest(context, { operation: 'T', notFound: 'message' }, async () => Promise.reject(restError(404)))).rejects.toMatchObject({
      code: 'MESSAGE_NOT_FOUND',
    });
    await expect(runRequest(context, { operation: 'T' }, async () => Promise.reject(restError(404)))).rejects.toMatchObject({ code: 'THREAD_NOT_FOUND' });
  });

  it('cancels the request on dispose (DISPOSED) or on the caller signal (ABORTED)', async () => {
    const { context, controller } = fakeContext(new FakeChatService(), ME);
    const hang = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const caller = new AbortController();
    const aborted = runRequest(context, { operation: 'T', signal: caller.signal }, hang);
    caller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    const disposed = runRequest(context, { operation: 'T' }, hang);
    controller.abort();
    await expect(disposed).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});

describe('sendChatMessage', () => {
  function thread() {
    const service = new FakeChatService();
    service.addThread('t', [ME]);
    return { service, ...fakeContext(service, ME) };
  }

  it('after a lost response, finds the stored message instead of posting again', async () => {
    const { service, context } = thread();
    service.failures.push({ op: 'sendMessage', error: restError(undefined), afterHandling: true });
    const sent = await sendChatMessage(context, 't', 'once', { metadata: { a: 'b' } });
    expect(service.count('sendMessage')).toBe(1);
    expect(service.threads.get('t')?.messages).toHaveLength(1);
    expect(sent).toMatchObject({ content: 'once', metadata: { a: 'b' }, isOwn: true });
    expect(sent.metadata).not.toHaveProperty('acsSessionSendId');
  });

  it('after a refusal the service did not act on, posts again (once)', async () => {
    const { service, context } = thread();
    service.failures.push({ op: 'sendMessage', error: restError(503, 'ServiceUnavailable') });
    await sendChatMessage(context, 't', 'twice tried', {});
    expect(service.count('sendMessage')).toBe(2);
    expect(service.threads.get('t')?.messages).toHaveLength(1);
  });

  it('does not retry a 400, and refuses bad input before any request', async () => {
    const { service, context } = thread();
    service.failures.push({ op: 'sendMessage', error: restError(400, 'MessageSizeExceeded') });
    await expect(sendChatMessage(context, 't', 'big', {})).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    expect(service.count('sendMessage')).toBe(1);
    await expect(sendChatMessage(context, 't', '', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(sendChatMessage(context, 't', 'x', { type: 'markdown' as 'text' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(sendChatMessage(context, 't', 'x', { metadata: JSON.parse('{"n":1}') })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(service.count('sendMessage')).toBe(1);
  });
});
