// Cached getToken() throughput: what every ACS request pays once a token is held. Baseline: the
// cheapest possible async getter (awaiting an already-resolved promise), measured in the same run;
// the ratio is the share of that baseline's throughput.
import { createTokenRefresher } from '../dist/index.js';
import { bestNsPerOpAsync } from './support.mjs';

const ITERATIONS = 500_000;

function fakeToken() {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none' })}.${b64({ skypeid: 'acs:bench_user', exp: now + 3600, iat: now, acsScope: 'chat' })}.x`;
}

export default async function (report) {
  const tokens = createTokenRefresher({ token: async () => fakeToken() });
  await tokens.getToken();
  const held = Promise.resolve({ token: 'x' });
  const baseline = await bestNsPerOpAsync(async (n) => {
    for (let i = 0; i < n; i++) await held;
  }, ITERATIONS);
  const cached = await bestNsPerOpAsync(async (n) => {
    for (let i = 0; i < n; i++) await tokens.getToken();
  }, ITERATIONS);
  const credential = await bestNsPerOpAsync(async (n) => {
    for (let i = 0; i < n; i++) await tokens.credential.getToken();
  }, ITERATIONS);
  const perSecond = (ns) => 1e9 / ns;
  report('cached getToken() calls per second (baseline: await a resolved promise)', {
    value: perSecond(cached),
    baseline: perSecond(baseline),
    unit: 'calls/s',
    ratio: perSecond(cached) / perSecond(baseline),
  });
  report('cached credential.getToken() calls per second (what the ACS clients call)', {
    value: perSecond(credential),
    baseline: perSecond(baseline),
    unit: 'calls/s',
    ratio: perSecond(credential) / perSecond(baseline),
  });
  tokens.dispose();
}
