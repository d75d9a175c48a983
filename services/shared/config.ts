// Settings declared once (environment name, description, parser, default), parsed and validated at
// start-up; a bad value is reported with the setting's name.

import { GavelError } from './errors.js';
import { PROOF_SYSTEMS, type ProofSystem } from './proving/backend.js';

export interface Setting<T> {
  env: string;
  description: string;
  parse: (raw: string) => T;
  default?: T;
}

export type Settings<C> = { [K in keyof C]: Setting<C[K]> };

export class ConfigError extends GavelError {
  constructor(message: string) {
    super('BAD_CONFIG', message);
  }
}

export const parsers = {
  string: (raw: string) => raw,
  url: (raw: string) => {
    try {
      return new URL(raw).toString().replace(/\/$/, '');
    } catch {
      throw new Error('must be a URL');
    }
  },
  int:
    (min: number, max = Number.MAX_SAFE_INTEGER) =>
    (raw: string) => {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`must be an integer in ${min}..${max}`);
      return n;
    },
  number: (raw: string) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error('must be a non-negative number');
    return n;
  },
  privateKey: (raw: string) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(raw)) throw new Error('must be a 0x-prefixed 32-byte hex key');
    return raw;
  },
  /** On or off: 1/true or 0/false. */
  flag: (raw: string) => {
    if (raw === '1' || raw === 'true') return true;
    if (raw === '0' || raw === 'false' || raw === '') return false;
    throw new Error('must be 1 or 0');
  },
  /** A comma-separated list of Ethereum addresses, lowercase. */
  addresses: (raw: string) =>
    raw
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '')
      .map((a) => {
        if (!/^0x[0-9a-fA-F]{40}$/.test(a))
          throw new Error(`must list 0x-prefixed 20-byte addresses, got "${a}"`);
        return a.toLowerCase();
      }),
  wei: (raw: string) => {
    if (!/^\d+$/.test(raw)) throw new Error('must be an integer amount of wei');
    return BigInt(raw);
  },
  /** A comma-separated list of proof systems (ultrahonk, plonk). */
  proofSystems: (raw: string) => {
    const list = [
      ...new Set(
        raw
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ];
    const unknown = list.filter((x) => !(PROOF_SYSTEMS as readonly string[]).includes(x));
    if (list.length === 0 || unknown.length > 0)
      throw new Error(`must list proof systems among ${PROOF_SYSTEMS.join(', ')}`);
    return list as ProofSystem[];
  },
  oneOf:
    <T extends string>(...values: T[]) =>
    (raw: string) => {
      if (!values.includes(raw as T)) throw new Error(`must be one of ${values.join(', ')}`);
      return raw as T;
    },
};

/** Reads every setting from `overrides` (flags) or the environment, else its default. */
export function loadConfig<C>(
  settings: Settings<C>,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Record<keyof C, string>> = {},
): C {
  const out: Partial<C> = {};
  const problems: string[] = [];
  for (const key of Object.keys(settings) as (keyof C)[]) {
    const s = settings[key];
    const raw = overrides[key] ?? env[s.env];
    if (raw === undefined || raw === '') {
      if (s.default === undefined) problems.push(`${s.env} is required (${s.description})`);
      else out[key] = s.default;
      continue;
    }
    try {
      out[key] = s.parse(raw);
    } catch (e) {
      problems.push(`${s.env}=${JSON.stringify(raw)} ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return out as C;
}

/** Settings given by environment name (`{ GAVEL_AUCTION_WINDOW_MS: '800' }`) as overrides by key. */
export function overridesFromEnv<C>(
  settings: Settings<C>,
  env: Record<string, string>,
): Partial<Record<keyof C, string>> {
  const out: Partial<Record<keyof C, string>> = {};
  for (const key of Object.keys(settings) as (keyof C)[]) {
    const value = env[settings[key].env];
    if (value !== undefined) out[key] = value;
  }
  const known = new Set(Object.values<Setting<unknown>>(settings).map((s) => s.env));
  const unknown = Object.keys(env).filter((name) => !known.has(name));
  if (unknown.length > 0) throw new ConfigError(`unknown settings: ${unknown.join(', ')}`);
  return out;
}

/** Settings every service reads the same way, declared once. */
export const commonSettings = {
  natsUrl: {
    env: 'NATS_URL',
    description: "NATS server; a cluster's nodes separated by commas (clients fail over between them)",
    parse: parsers.string,
    default: 'nats://127.0.0.1:4222',
  } satisfies Setting<string>,
  natsCa: {
    env: 'GAVEL_NATS_CA',
    description: "CA certificate (PEM file) of a NATS server that requires TLS; empty: the system's CAs",
    parse: parsers.string,
    default: '',
  } satisfies Setting<string>,
  rpcUrl: {
    env: 'GAVEL_RPC_URL',
    description: 'EVM JSON-RPC endpoint',
    parse: parsers.url,
    default: 'http://127.0.0.1:8545',
  } satisfies Setting<string>,
  deploymentFile: {
    env: 'GAVEL_DEPLOYMENT',
    description: 'contract addresses written by gavel deploy',
    parse: parsers.string,
    default: '.gavel/deployment.json',
  } satisfies Setting<string>,
  metricsPort: {
    env: 'GAVEL_METRICS_PORT',
    description: 'port of the Prometheus /metrics endpoint on 127.0.0.1 (0 = any free port)',
    parse: parsers.int(0, 65535),
    default: 0,
  } satisfies Setting<number>,
  logLevel: {
    env: 'GAVEL_LOG_LEVEL',
    description: 'pino log level',
    parse: parsers.string,
    default: 'info',
  } satisfies Setting<string>,
};

/** Where files and caches live, for every command that uses them (read where they are used). */
export const pathSettings = {
  ptau: {
    env: 'GAVEL_PTAU',
    description:
      'a powers-of-tau file from a real ceremony that PLONK circuits are set up from; empty: the reproducible development ptau (anyone can forge proofs for it: not for production)',
    parse: parsers.string,
    default: '',
  } satisfies Setting<string>,
  ptauCache: {
    env: 'GAVEL_PTAU_CACHE',
    description: 'folder of development ptau files and PLONK proving keys; empty: ~/.cache/gavel/ptau',
    parse: parsers.string,
    default: '',
  } satisfies Setting<string>,
  verifierCache: {
    env: 'GAVEL_VERIFIER_CACHE',
    description:
      "folder of compiled circuit verifiers (solc-js output); empty: gavel-verifiers in the system's temporary folder",
    parse: parsers.string,
    default: '',
  } satisfies Setting<string>,
  devDir: {
    env: 'GAVEL_DEV_DIR',
    description:
      "the local stack's folder (its state, logs, deployment and database) for gavel dev up, status and down",
    parse: parsers.string,
    default: '.gavel/dev',
  } satisfies Setting<string>,
};

/** A path setting from `env`: its value, or its default when unset or empty. */
export function pathSetting(key: keyof typeof pathSettings, env: NodeJS.ProcessEnv = process.env): string {
  const setting = pathSettings[key];
  const raw = env[setting.env];
  return raw === undefined || raw === '' ? setting.default : setting.parse(raw);
}
