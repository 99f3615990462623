import { describe, expect, it } from 'vitest';
import { toIdentifier, toPerson } from '../../../src/identifiers/identifier.js';

const ADA = '8:acs:00000000-1111-2222-3333-444444444444_ada';

describe('toIdentifier', () => {
  it('reads raw id strings of every kind', () => {
    expect(toIdentifier(ADA)).toEqual({ kind: 'communicationUser', communicationUserId: ADA, rawId: ADA });
    expect(toIdentifier('4:+15551234567')).toMatchObject({ kind: 'phoneNumber', phoneNumber: '+15551234567', rawId: '4:+15551234567' });
    expect(toIdentifier('8:orgid:6f6b')).toMatchObject({ kind: 'microsoftTeamsUser', microsoftTeamsUserId: '6f6b', rawId: '8:orgid:6f6b' });
    expect(toIdentifier('28:orgid:app')).toMatchObject({ kind: 'microsoftTeamsApp', teamsAppId: 'app', rawId: '28:orgid:app' });
  });

  it('fills in kind and rawId for identifier objects', () => {
    expect(toIdentifier({ communicationUserId: ADA })).toEqual({ kind: 'communicationUser', communicationUserId: ADA, rawId: ADA });
    expect(toIdentifier({ phoneNumber: '+15551234567' })).toMatchObject({ kind: 'phoneNumber', rawId: '4:+15551234567' });
  });

  it.each([[''], ['ada'], [42], [null], [{}], [{ communicationUserId: '' }], [['8:acs:x']]])('refuses %j with INVALID_ARGUMENT', (input) => {
    expect(() => toIdentifier(input)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('toPerson', () => {
  it('takes an id or { id, displayName } in every form', () => {
    expect(toPerson(ADA)).toEqual({ id: toIdentifier(ADA) });
    expect(toPerson({ id: ADA, displayName: 'Ada' })).toEqual({ id: toIdentifier(ADA), displayName: 'Ada' });
    expect(toPerson({ id: { communicationUserId: ADA }, displayName: 'Ada' })).toEqual({ id: toIdentifier(ADA), displayName: 'Ada' });
    expect(toPerson({ id: ADA })).toEqual({ id: toIdentifier(ADA) });
  });

  it('refuses a display name that is not a string, and a wrapped bad id', () => {
    expect(() => toPerson({ id: ADA, displayName: 7 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => toPerson({ id: 'nope', displayName: 'x' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
