#!/usr/bin/env node
/**
 * The `acs-session` command line: `acs-session emulator [--port] [--data-dir] …`.
 * Prints the endpoint, the connection string and how to trust the certificate, then serves until
 * SIGINT/SIGTERM.
 *
 * @example
 * ```sh
 * npx acs-session emulator --port 8443 --data-dir .acs-emulator
 * ```
 *
 * @packageDocumentation
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SessionError } from '../errors.js';
import { type Emulator, type FaultRule, parseFaultSpec, startEmulator } from './index.js';

const USAGE = `Usage: acs-session emulator [options]

Starts a local Azure Communication Services emulator (identity, tokens, chat, SMS) over HTTPS.

Options:
  --port <n>          Port to listen on (default 8443; 0 picks a free port)
  --host <address>    Interface to bind (default 127.0.0.1)
  --data-dir <dir>    Keep state, keys and certificate in <dir> (default: in memory)
  --access-key <b64>  Access key of the connection string (default: generated)
  --phone-number <n>  A number the resource owns for SMS, E.164, repeatable (default +14255550100)
  --fault <spec>      Inject a fault, repeatable: "[METHOD ]PATH=STATUS[xTIMES][@DELAYms]"
                      e.g. --fault "POST /chat/threads/*/messages=503x2"
  -h, --help          Show this help
`;

/** Exit codes: 0 ok, 1 runtime failure, 2 usage error. */
async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'access-key': { type: 'string' },
        'phone-number': { type: 'string', multiple: true },
        fault: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (command !== 'emulator') return usageError(command === undefined ? 'missing command' : `unknown command "${command}"`);
  if (extra.length > 0) return usageError(`unexpected argument "${extra[0]}"`);

  const port = values.port === undefined ? 8443 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || !Number.isInteger(port) || port > 65535) {
    return usageError(`--port must be an integer 0..65535, got "${values.port}"`);
  }
  let faults: FaultRule[];
  try {
    faults = (values.fault ?? []).map(parseFaultSpec);
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const dataDir = values['data-dir'] === undefined ? undefined : resolve(values['data-dir']);

  let emu: Emulator;
  try {
    emu = await startEmulator({
      port,
      ...(values.host !== undefined && { host: values.host }),
      ...(dataDir !== undefined && { dataDir }),
      ...(values['access-key'] !== undefined && { accessKey: values['access-key'] }),
      ...(values['phone-number'] !== undefined && { phoneNumbers: values['phone-number'] }),
      onError: (error) => process.stderr.write(`emulator error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
    });
  } catch (error) {
    // Options the emulator refuses (bad access key or host, a data dir in use) are usage errors.
    if (error instanceof SessionError && (error.code === 'INVALID_OPTIONS' || error.code === 'INVALID_ARGUMENT')) return usageError(error.message);
    throw error;
  }
  try {
    return await serve(emu, faults, dataDir);
  } finally {
    // Whatever failed after the start, a listening server must not keep the process alive.
    await emu.close();
  }
}

async function serve(emu: Emulator, faults: readonly FaultRule[], dataDir: string | undefined): Promise<number> {
  for (const rule of faults) emu.faults.inject(rule);

  // Without a data dir the certificate lives only in memory; write it where NODE_EXTRA_CA_CERTS can read it.
  const certPath = dataDir !== undefined ? join(dataDir, 'cert.pem') : join(tmpdir(), `acs-session-emulator-${emu.port}.pem`);
  if (dataDir === undefined) writeFileSync(certPath, emu.certificate);
  try {
    process.stdout.write(
      [
        `ACS emulator listening on ${emu.endpoint}`,
        `  endpoint:          ${emu.endpoint}`,
        `  connection string: ${emu.connectionString}`,
        `  certificate:       ${certPath}`,
        `  SMS numbers:       ${emu.phoneNumbers.join(', ')}   (inbox: GET ${emu.endpoint}_emulator/sms with x-emulator-key)`,
        '',
        'Trust the certificate in Node with either:',
        `  NODE_EXTRA_CA_CERTS=${certPath} node app.js`,
        "  new ChatClient(endpoint, credential, emulatorClientOptions(emu))   // from 'acs-session/emulator'",
        '    (or { tlsOptions: { ca: <certificate PEM> } } for any Azure SDK client)',
        '',
        'Press Ctrl+C to stop.',
        '',
      ].join('\n'),
    );

    await new Promise<void>((resolveStop) => {
      const stop = (): void => resolveStop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  } finally {
    if (dataDir === undefined) rmSync(certPath, { force: true });
  }
}

function usageError(message: string): number {
  process.stderr.write(`acs-session: ${message}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`acs-session: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
