import { commonSettings, parsers, type Settings } from '../shared/config.js';

export interface WatchtowerConfig {
  /** The key that sends slashes and expiries, and earns the slash bounties. */
  key: string;
  rpcUrl: string;
  deploymentFile: string;
  /** How often the chain is read for new events and passed deadlines. */
  pollMs: number;
  /** The coordinator API whose auction transcripts are audited ('' = audit nothing). */
  coordinatorUrl: string;
  /** Where attestations are kept (a JSON-lines file per watchtower key). */
  dataDir: string;
  /** bb backend that re-verifies fulfilled proofs. */
  backend: 'native' | 'wasm';
  /** How long a coordinator has to reveal a committed transcript before it counts as withheld. */
  revealGraceMs: number;
  /** Most bytes of job inputs the mirror holds. */
  mirrorMaxBytes: number;
  /** How long mirrored inputs are kept after their job ended on-chain. */
  mirrorKeepMs: number;
  /** Most bytes of inputs mirrored for one requester's live jobs. */
  mirrorQuotaBytes: number;
  /** Reserve an escrow must lock per KiB of inputs mirrored for it (wei). */
  mirrorReservePerKibWei: bigint;
  /** HTTP requests per minute per client address (0: no limit). */
  rateLimitPerMin: number;
  /** Port of the watchtower's HTTP API: /metrics, /v1/receipts, /v1/audits (0: any free port). */
  port: number;
  /** Address the HTTP API listens on (provers file receipts with it). */
  host: string;
  /** URL others reach the HTTP API at, signed into availability attestations ('' = http://host:port). */
  publicUrl: string;
  logLevel: string;
}

export const watchtowerSettings: Settings<WatchtowerConfig> = {
  key: {
    env: 'GAVEL_PRIVATE_KEY',
    description: "the watchtower's key: it pays the gas of slashes and expiries and earns the bounties",
    parse: parsers.privateKey,
  },
  rpcUrl: commonSettings.rpcUrl,
  deploymentFile: commonSettings.deploymentFile,
  pollMs: {
    env: 'GAVEL_WATCH_POLL_MS',
    description: 'how often the watchtower reads new Market events and checks deadlines',
    parse: parsers.int(100),
    default: 2000,
  },
  coordinatorUrl: {
    env: 'GAVEL_COORDINATOR_URL',
    description:
      "the coordinator API whose auction transcripts the watchtower audits and whose public jobs' inputs it mirrors ('' = none)",
    parse: (raw) => (raw === '' ? '' : parsers.url(raw)),
    default: 'http://127.0.0.1:8080',
  },
  dataDir: {
    env: 'GAVEL_WATCH_DIR',
    description:
      "directory of the watchtower's signed attestations, mirrored inputs and inputs fault reports",
    parse: parsers.string,
    default: '.gavel/watchtower',
  },
  backend: {
    env: 'GAVEL_WATCH_BACKEND',
    description: 'bb backend that re-verifies the proofs of every fulfilment: native or wasm',
    parse: parsers.oneOf('native', 'wasm'),
    default: 'native',
  },
  revealGraceMs: {
    env: 'GAVEL_WATCH_REVEAL_GRACE_MS',
    description:
      'how long a coordinator has to reveal a transcript it committed; then it counts as withheld and every receipt held for the attempt is challenged',
    parse: parsers.int(0),
    default: 30_000,
  },
  mirrorMaxBytes: {
    env: 'GAVEL_WATCH_MIRROR_MAX_BYTES',
    description: 'most bytes of job inputs the watchtower mirrors (a requester pushing more is told FULL)',
    parse: parsers.int(0),
    default: 1024 * 1024 * 1024,
  },
  mirrorQuotaBytes: {
    env: 'GAVEL_WATCH_MIRROR_QUOTA_BYTES',
    description:
      "most bytes of inputs the watchtower mirrors for one requester's jobs until they end (a requester pushing more is told QUOTA_EXCEEDED)",
    parse: parsers.int(0),
    default: 64 * 1024 * 1024,
  },
  mirrorReservePerKibWei: {
    env: 'GAVEL_WATCH_MIRROR_RESERVE_WEI_PER_KIB',
    description:
      "reserve a job's escrow must lock per KiB of inputs the watchtower mirrors for it, so filling the mirror locks real money until the jobs' deadlines (RESERVE_TOO_LOW otherwise; 0 = none)",
    parse: parsers.wei,
    default: 100_000_000_000n,
  },
  mirrorKeepMs: {
    env: 'GAVEL_WATCH_MIRROR_KEEP_MS',
    description:
      'how long mirrored inputs are kept after their job settled, expired or was cancelled on-chain',
    parse: parsers.int(0),
    default: 24 * 3600 * 1000,
  },
  rateLimitPerMin: {
    env: 'GAVEL_RATE_LIMIT_PER_MIN',
    description: "HTTP requests per minute per client address on the watchtower's API (0 = no limit)",
    parse: parsers.int(0),
    default: 3000,
  },
  port: {
    env: 'GAVEL_WATCH_PORT',
    description:
      "port of the watchtower's HTTP API: /metrics, receipts, audits, attestations, mirrored inputs (0 = any free port)",
    parse: parsers.int(0, 65535),
    default: 0,
  },
  host: {
    env: 'GAVEL_WATCH_HOST',
    description: "address the watchtower's HTTP API listens on (provers file bid receipts there)",
    parse: parsers.string,
    default: '127.0.0.1',
  },
  publicUrl: {
    env: 'GAVEL_WATCH_PUBLIC_URL',
    description:
      "URL requesters and provers reach this watchtower's API at; its availability attestations sign it, so nobody relaying them can point provers elsewhere ('' = http://HOST:PORT)",
    parse: (raw) => (raw === '' ? '' : parsers.url(raw)),
    default: '',
  },
  logLevel: commonSettings.logLevel,
};
