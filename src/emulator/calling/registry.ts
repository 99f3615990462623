import { randomUUID } from 'node:crypto';
import type { ServerMessage, WireCall, WireEndReason } from '../../calling/local/protocol.js';
import { END } from './end-codes.js';
import type { SimulatedPhones } from './phones.js';

/** One connected client of the call service (one session). */
export interface Peer {
  readonly rawId: string;
  readonly displayName: string | undefined;
  send(message: ServerMessage): void;
  sendBinary(frame: Uint8Array): void;
}

interface Ring {
  timer: NodeJS.Timeout;
  /** The callee's sessions being rung; empty for a phone. */
  peers: Set<Peer>;
}

interface Member {
  rawId: string;
  displayName: string | undefined;
  /** The session in the call; undefined for a phone or while ringing. */
  peer: Peer | undefined;
  state: 'ringing' | 'connected' | 'hold';
  muted: boolean;
  ring: Ring | undefined;
}

interface CallRecord {
  id: string;
  kind: 'group' | 'room' | 'meeting' | 'adhoc';
  locator: string | undefined;
  members: Map<string, Member>;
  /** The caller id a phone sees. */
  callerNumber: string | undefined;
}

/** A refusal, sent back as the `result` of the operation. */
export class CallServiceError extends Error {
  constructor(
    readonly code: 'InvalidArgument' | 'NotFound' | 'Forbidden' | 'Conflict' | 'Unreachable',
    message: string,
  ) {
    super(message);
  }
}

const MAX_TARGETS = 64;

/**
 * Call membership: who is in which call, who is being rung, and who hears about every change.
 * Transport-free (peers are callbacks), so it is unit-testable without sockets.
 *
 * @example
 * ```ts
 * const registry = new CallRegistry({ ringTimeoutMs: 30_000, phones });
 * const callId = registry.join(peer, 'group', groupId);
 * ```
 */
export class CallRegistry {
  readonly #calls = new Map<string, CallRecord>();
  readonly #byLocator = new Map<string, string>();
  readonly #peersByUser = new Map<string, Set<Peer>>();
  readonly #ringTimeoutMs: number;
  readonly #phones: SimulatedPhones;

  constructor(options: { ringTimeoutMs: number; phones: SimulatedPhones }) {
    this.#ringTimeoutMs = options.ringTimeoutMs;
    this.#phones = options.phones;
    this.#phones.attach({
      answer: (number) => this.#phoneAnswered(number),
      reject: (number) => this.#phoneLeft(number, END.declined),
      hangUp: (number) => this.#phoneLeft(number, END.hungUp),
    });
  }

  /** A session connected. */
  connect(peer: Peer): void {
    let peers = this.#peersByUser.get(peer.rawId);
    if (!peers) this.#peersByUser.set(peer.rawId, (peers = new Set()));
    peers.add(peer);
  }

  /** A session's socket closed: it leaves its calls and stops being rung. */
  disconnect(peer: Peer): void {
    this.evict(peer, undefined);
  }

  /**
   * Takes a session out of everything (its token stopped being good): its calls end for it with
   * `reason`, its ringing stops with `reason`; the others see it leave. `undefined` tells it nothing
   * (its socket is gone).
   */
  evict(peer: Peer, reason: WireEndReason | undefined): void {
    const peers = this.#peersByUser.get(peer.rawId);
    peers?.delete(peer);
    if (peers?.size === 0) this.#peersByUser.delete(peer.rawId);
    for (const call of [...this.#calls.values()]) {
      const member = call.members.get(peer.rawId);
      if (!member) continue;
      if (member.peer === peer) {
        this.#removeMember(call, member, reason);
        this.#settle(call, END.hungUp);
      } else if (member.ring?.peers.delete(peer)) {
        if (reason) peer.send({ ev: 'incomingEnded', callId: call.id, reason });
      }
    }
  }

  /** Starts a 1:1 (or ad-hoc group) call ringing `targets` (raw ids); returns the call id. */
  start(peer: Peer, targets: readonly string[], alternateCallerId: string | undefined): string {
    if (targets.length === 0 || targets.length > MAX_TARGETS) throw new CallServiceError('InvalidArgument', `A call needs 1 to ${MAX_TARGETS} targets.`);
    if (new Set(targets).size !== targets.length) throw new CallServiceError('InvalidArgument', 'The targets repeat a participant.');
    if (targets.includes(peer.rawId)) throw new CallServiceError('InvalidArgument', 'A call cannot ring its caller.');
    const phones = targets.filter((t) => t.startsWith('4:'));
    if (phones.some((t) => !/^4:\+\d{6,15}$/.test(t))) throw new CallServiceError('InvalidArgument', 'A phone number must be E.164, e.g. 4:+15551234567.');
    if (phones.length > 0 && (alternateCallerId === undefined || !/^\+\d{6,15}$/.test(alternateCallerId))) {
      throw new CallServiceError('InvalidArgument', 'Calling a phone number needs an alternateCallerId in E.164.');
    }
    const call = this.#create('adhoc', undefined, alternateCallerId);
    call.members.set(peer.rawId, { rawId: peer.rawId, displayName: peer.displayName, peer, state: 'connected', muted: false, ring: undefined });
    for (const target of targets) this.#ring(call, target, peer);
    this.#broadcast(call);
    // Nobody could be rung: the caller's call ends as the real service ends it, after the result.
    if (call.members.size < 2) queueMicrotask(() => this.#settle(call, END.unreachable));
    return call.id;
  }

  /** Joins (or creates) the group call, room or meeting `id`; returns the call id. */
  join(peer: Peer, kind: 'group' | 'room' | 'meeting', id: string): string {
    if (id.length === 0 || id.length > 256) throw new CallServiceError('InvalidArgument', 'The group or room id must be 1–256 characters.');
    const locator = `${kind}:${id}`;
    const existing = this.#byLocator.get(locator);
    const call = (existing === undefined ? undefined : this.#calls.get(existing)) ?? this.#create(kind, locator, undefined);
    const previous = call.members.get(peer.rawId);
    // The same user joining from another session takes the seat over; the old session's call ends.
    if (previous?.peer && previous.peer !== peer) previous.peer.send({ ev: 'ended', callId: call.id, reason: END.answeredElsewhere });
    call.members.set(peer.rawId, { rawId: peer.rawId, displayName: peer.displayName, peer, state: 'connected', muted: false, ring: undefined });
    this.#broadcast(call);
    return call.id;
  }

  accept(peer: Peer, callId: string): void {
    const { call, member } = this.#ringingFor(peer, callId);
    const ring = member.ring;
    if (ring) clearTimeout(ring.timer);
    member.ring = undefined;
    member.state = 'connected';
    member.peer = peer;
    member.displayName = peer.displayName;
    for (const other of ring?.peers ?? []) if (other !== peer) other.send({ ev: 'incomingEnded', callId, reason: END.answeredElsewhere });
    this.#broadcast(call);
  }

  reject(peer: Peer, callId: string): void {
    const { call, member } = this.#ringingFor(peer, callId);
    this.#removeMember(call, member, END.declined);
    this.#settle(call, END.declined);
  }

  mute(peer: Peer, callId: string, muted: boolean): void {
    const { call, member } = this.#memberOf(peer, callId);
    member.muted = muted;
    this.#broadcast(call);
  }

  hold(peer: Peer, callId: string, held: boolean): void {
    const { call, member } = this.#memberOf(peer, callId);
    member.state = held ? 'hold' : 'connected';
    this.#broadcast(call);
  }

  dtmf(peer: Peer, callId: string, tone: string): void {
    const { call } = this.#memberOf(peer, callId);
    for (const member of call.members.values()) if (member.rawId.startsWith('4:')) this.#phones.tone(member.rawId.slice(2), tone);
  }

  hangUp(peer: Peer, callId: string, forEveryone: boolean): void {
    const { call, member } = this.#memberOf(peer, callId);
    this.#removeMember(call, member, END.hungUp);
    if (forEveryone) this.#end(call, END.endedForEveryone);
    else this.#settle(call, END.hungUp);
  }

  remove(peer: Peer, callId: string, rawId: string): void {
    const { call } = this.#memberOf(peer, callId);
    const target = call.members.get(rawId);
    if (!target) throw new CallServiceError('NotFound', 'That participant is not in the call.');
    if (target.rawId === peer.rawId) throw new CallServiceError('InvalidArgument', 'Use hangUp() to leave a call.');
    this.#removeMember(call, target, target.state === 'ringing' ? END.cancelled : END.removed);
    this.#settle(call, END.hungUp);
  }

  /**
   * Rings one more person into a running call (ACS `call.addParticipant`): every session of an ACS
   * user, or a simulated phone (the caller id it sees is `alternateCallerId`). Refused when nobody
   * could be rung, as the real service ends that leg at once with 480/10037.
   */
  add(peer: Peer, callId: string, rawId: string, alternateCallerId: string | undefined): void {
    const { call } = this.#memberOf(peer, callId);
    if (call.members.has(rawId)) throw new CallServiceError('Conflict', 'That participant is in the call already.');
    const phone = rawId.startsWith('4:');
    if (phone && !/^4:\+\d{6,15}$/.test(rawId)) throw new CallServiceError('InvalidArgument', 'A phone number must be E.164, e.g. 4:+15551234567.');
    if (!phone && !rawId.startsWith('8:acs:')) throw new CallServiceError('InvalidArgument', 'Only ACS users and phone numbers can be added.');
    if (phone && (alternateCallerId === undefined || !/^\+\d{6,15}$/.test(alternateCallerId))) {
      throw new CallServiceError('InvalidArgument', 'Adding a phone number needs an alternateCallerId in E.164.');
    }
    this.#ring(call, rawId, peer, alternateCallerId);
    if (!call.members.has(rawId)) throw new CallServiceError('Unreachable', phone ? 'That phone is busy.' : 'That user has no session online.');
    this.#broadcast(call);
  }

  /** Relays an app-data frame to the call's other connected sessions (or the listed ones). */
  relay(peer: Peer, callId: string, to: readonly string[] | undefined, frame: (from: string) => Uint8Array): number {
    const call = this.#calls.get(callId);
    if (call?.members.get(peer.rawId)?.peer !== peer) return 0;
    const wanted = to && to.length > 0 ? new Set(to) : undefined;
    let delivered = 0;
    let encoded: Uint8Array | undefined;
    for (const member of call.members.values()) {
      if (member.rawId === peer.rawId || !member.peer || member.state === 'ringing') continue;
      if (wanted && !wanted.has(member.rawId)) continue;
      member.peer.sendBinary((encoded ??= frame(peer.rawId)));
      delivered++;
    }
    return delivered;
  }

  /** Ends every call (the emulator is closing) and clears every ring timer. */
  close(): void {
    for (const call of [...this.#calls.values()]) {
      for (const member of call.members.values()) if (member.ring) clearTimeout(member.ring.timer);
      this.#calls.delete(call.id);
    }
    this.#byLocator.clear();
    this.#peersByUser.clear();
  }

  /** How many calls are live (for tests and leak checks). */
  get size(): number {
    return this.#calls.size;
  }

  #create(kind: CallRecord['kind'], locator: string | undefined, callerNumber: string | undefined): CallRecord {
    const call: CallRecord = { id: randomUUID(), kind, locator, members: new Map(), callerNumber };
    this.#calls.set(call.id, call);
    if (locator) this.#byLocator.set(locator, call.id);
    return call;
  }

  #ring(call: CallRecord, target: string, caller: Peer, callerNumber = call.callerNumber): void {
    const timer = setTimeout(() => this.#unanswered(call.id, target), this.#ringTimeoutMs);
    timer.unref();
    const member: Member = { rawId: target, displayName: undefined, peer: undefined, state: 'ringing', muted: false, ring: { timer, peers: new Set() } };
    if (target.startsWith('4:')) {
      const number = target.slice(2);
      if (this.#phones.busy(number)) {
        clearTimeout(timer);
        return;
      }
      call.members.set(target, member);
      this.#phones.ring(number, call.id, callerNumber ?? '');
      return;
    }
    const peers = [...(this.#peersByUser.get(target) ?? [])];
    if (peers.length === 0) {
      clearTimeout(timer);
      return;
    }
    for (const peer of peers) member.ring?.peers.add(peer);
    call.members.set(target, member);
    for (const peer of peers) peer.send({ ev: 'incoming', callId: call.id, caller: withName(caller.rawId, caller.displayName) });
  }

  #unanswered(callId: string, rawId: string): void {
    const call = this.#calls.get(callId);
    const member = call?.members.get(rawId);
    if (!call || member?.state !== 'ringing') return;
    this.#removeMember(call, member, END.notAnswered);
    this.#settle(call, END.notAnswered);
  }

  #phoneAnswered(number: string): void {
    const found = this.#phoneMember(number);
    if (!found || found.member.state !== 'ringing') return;
    if (found.member.ring) clearTimeout(found.member.ring.timer);
    found.member.ring = undefined;
    found.member.state = 'connected';
    this.#phones.connected(number);
    this.#broadcast(found.call);
  }

  #phoneLeft(number: string, reason: WireEndReason): void {
    const found = this.#phoneMember(number);
    if (!found) return;
    const why = found.member.state === 'ringing' ? reason : END.hungUp;
    this.#removeMember(found.call, found.member, why);
    this.#settle(found.call, why);
  }

  #phoneMember(number: string): { call: CallRecord; member: Member } | undefined {
    for (const call of this.#calls.values()) {
      const member = call.members.get(`4:${number}`);
      if (member) return { call, member };
    }
    return undefined;
  }

  /** Takes a member out, telling its session (or its ringing sessions) why; `undefined` tells nobody. */
  #removeMember(call: CallRecord, member: Member, reason: WireEndReason | undefined): void {
    call.members.delete(member.rawId);
    if (member.ring) clearTimeout(member.ring.timer);
    if (member.rawId.startsWith('4:')) this.#phones.ended(member.rawId.slice(2));
    if (!reason) return;
    if (member.state === 'ringing') {
      for (const peer of member.ring?.peers ?? []) peer.send({ ev: 'incomingEnded', callId: call.id, reason });
    } else member.peer?.send({ ev: 'ended', callId: call.id, reason });
  }

  /** After someone left: an ad-hoc call with one person left ends; an empty group call is dropped. */
  #settle(call: CallRecord, reason: WireEndReason): void {
    if (!this.#calls.has(call.id)) return;
    const connected = [...call.members.values()].filter((m) => m.state !== 'ringing');
    if (connected.length === 0 || (call.kind === 'adhoc' && call.members.size < 2)) this.#end(call, reason);
    else this.#broadcast(call);
  }

  #end(call: CallRecord, reason: WireEndReason): void {
    this.#calls.delete(call.id);
    if (call.locator) this.#byLocator.delete(call.locator);
    for (const member of [...call.members.values()]) this.#removeMember(call, member, member.state === 'ringing' ? END.cancelled : reason);
  }

  #broadcast(call: CallRecord): void {
    for (const member of call.members.values()) {
      if (member.peer && member.state !== 'ringing') member.peer.send({ ev: 'call', call: view(call, member) });
    }
  }

  #memberOf(peer: Peer, callId: string): { call: CallRecord; member: Member } {
    const call = this.#calls.get(callId);
    const member = call?.members.get(peer.rawId);
    if (!call || !member || member.peer !== peer) throw new CallServiceError('NotFound', 'This session is not in that call.');
    return { call, member };
  }

  #ringingFor(peer: Peer, callId: string): { call: CallRecord; member: Member } {
    const call = this.#calls.get(callId);
    const member = call?.members.get(peer.rawId);
    if (!call || member?.state !== 'ringing' || !member.ring?.peers.has(peer)) {
      throw new CallServiceError('NotFound', 'That call is not ringing this session any more.');
    }
    return { call, member };
  }
}

function view(call: CallRecord, viewer: Member): WireCall {
  const others = [...call.members.values()].filter((m) => m !== viewer);
  const answered = others.some((m) => m.state !== 'ringing');
  return {
    id: call.id,
    kind: call.kind,
    state: viewer.state === 'hold' ? 'localHold' : call.kind === 'adhoc' && !answered ? 'ringing' : 'connected',
    muted: viewer.muted,
    participants: others.map((m) => ({ ...withName(m.rawId, m.displayName), state: m.state, muted: m.muted })),
  };
}

function withName(rawId: string, displayName: string | undefined): { rawId: string; displayName?: string } {
  return displayName === undefined ? { rawId } : { rawId, displayName };
}
