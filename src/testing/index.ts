/**
 * acs-session/testing: helpers for apps' own unit tests, with no call and no network.
 * @packageDocumentation
 */
export { createTestCallDataPair, TestCallData } from './call-data-pair.js';
export type { TestCallDataPairOptions } from './call-data-pair.js';
export { createMemoryNetwork } from '../data/memory-transport.js';
export type { MemoryNetwork, MemoryNetworkOptions, MemoryTransport } from '../data/memory-transport.js';
export type { CallData, CallDataEvents, CallDataOptions, DataReliability, RpcErrorDetails } from '../data/index.js';
export type { OverflowPolicy } from '../events/types.js';
export type { EventStream } from '../events/event-stream.js';
