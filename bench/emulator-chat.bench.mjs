// Emulator throughput and CLI start time.
// - chat sendMessage requests/s through the real ChatClient against the emulator, beside the same
//   client against a bare Node HTTPS server that answers the same request with a canned 201
//   (ratio = bare / emulator: what the emulator's real work — token check, routing, validation,
//   storage, ACS headers — costs against a server that does nothing). Client and server share one
//   process and its event loop, so the ratio includes the client's work too; it was 2.1–2.7x on
//   2 cores depending on load. No target: the issue asks for the number, and a threshold inside
//   that noise would only flake;
// - `node dist/cli.js emulator --port 0` start time until it prints the endpoint.
// Loopback only; every loop is bounded.
import { spawn } from 'node:child_process';
import { createServer } from 'node:https';
import { fileURLToPath } from 'node:url';
import { ChatClient } from '@azure/communication-chat';
import { AzureCommunicationTokenCredential } from '@azure/communication-common';
import { CommunicationIdentityClient } from '@azure/communication-identity';
import { createSelfSignedCertificate, emulatorClientOptions, startEmulator } from '../dist/emulator.js';

const MESSAGES = 2_000;
const WARMUP = 200;
const CONCURRENCY = 8;
const CLI_RUNS = 5;
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

async function sendRate(thread) {
  const run = async (total) => {
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        await thread.sendMessage({ content: 'bench message' });
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return total / ((performance.now() - started) / 1000);
  };
  await run(WARMUP);
  return run(MESSAGES);
}

async function bareServer(certificate, key) {
  const body = JSON.stringify({ id: '1700000000000' });
  const server = createServer({ cert: certificate, key }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), location: 'https://127.0.0.1/x' });
      res.end(body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

function cliStartMs() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('CLI did not print its endpoint within 10 s'));
    }, 10_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (/endpoint:\s+https:\/\//.test(out)) {
        const ms = performance.now() - started;
        clearTimeout(timer);
        child.once('exit', () => resolve(ms));
        child.kill('SIGTERM');
      }
    });
  });
}

export default async function emulatorChatBench(report) {
  const emu = await startEmulator({ port: 0 });
  try {
    const options = { ...emulatorClientOptions(emu), retryOptions: { maxRetries: 0 } };
    const identity = new CommunicationIdentityClient(emu.connectionString, options);
    const { token } = await identity.createUserAndToken(['chat']);
    const chat = new ChatClient(emu.endpoint, new AzureCommunicationTokenCredential(token), options);
    const { chatThread } = await chat.createChatThread({ topic: 'bench' });
    const emulatorRate = await sendRate(chat.getChatThreadClient(chatThread.id));

    // Same kind of certificate (EC P-256), so both sides pay the same TLS cost.
    const pair = createSelfSignedCertificate();
    const bare = await bareServer(pair.cert, pair.key);
    try {
      const endpoint = `https://127.0.0.1:${bare.address().port}/`;
      const bareChat = new ChatClient(endpoint, new AzureCommunicationTokenCredential(token), {
        tlsOptions: { ca: pair.cert },
        retryOptions: { maxRetries: 0 },
      });
      const bareRate = await sendRate(bareChat.getChatThreadClient(chatThread.id));
      report('emulator sendMessage via ChatClient', { value: emulatorRate, unit: 'req/s', baseline: bareRate, ratio: bareRate / emulatorRate });
    } finally {
      bare.closeAllConnections();
      await new Promise((r) => bare.close(r));
    }
  } finally {
    await emu.close();
  }

  const times = [];
  for (let i = 0; i < CLI_RUNS; i++) times.push(await cliStartMs());
  times.sort((a, b) => a - b);
  report('emulator CLI start (median of 5)', { value: times[Math.floor(times.length / 2)], unit: 'ms', target: 1000 });
}
