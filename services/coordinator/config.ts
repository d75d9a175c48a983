import { commonSettings, parsers, type Settings } from '../shared/config.js';

export interface CoordinatorConfig {
  databaseUrl: string;
  /** Database connections; 1 for the embedded Postgres, which has a single backend. */
  dbPoolSize: number;
  natsUrl: string;
  /** CA file for a NATS server with TLS ('' = system CAs). */
  natsCa: string;
  /** Path of this coordinator's NATS creds file ('' = connect without credentials). */
  natsCreds: string;
  /** Seed of the market's NATS account, to issue prover credentials ('' = the market's NATS is open). */
  natsAccountSeed: string;
  /** Run on open NATS (no account seed) anyway: local development only. */
  openNats: boolean;
  /** Accept PLONK circuits set up from the development ptau: local development only. */
  allowDevPtau: boolean;
  /** How long a prover's NATS credentials last (renewed by the agent while it stays registered and staked). */
  natsCredentialsTtlSeconds: number;
  rpcUrl: string;
  deploymentFile: string;
  coordinatorKey: string;
  host: string;
  port: number;
  publicUrl: string;
  auctionWindowMs: number;
  reannounceBaseMs: number;
  reannounceMaxMs: number;
  /** Time kept in hand after proving for verification and the settle transaction. */
  settleMarginMs: number;
  /** How long the coordinator leaves a job's on-chain fulfilment to its prover (which pays the gas
   *  of its own payment) before it relays the proofs itself, at its own cost; 0 relays at once. */
  relayAfterMs: number;
  /** Seconds after a round closes within which its assignment is mined (stated in announcements):
   *  a bid's delivery time must fit between then and the job's deadline. */
  assignMarginSeconds: number;
  maxBatchItems: number;
  maxUploadBytes: number;
  /** HTTP requests per minute per client address (0: no limit). */
  rateLimitPerMin: number;
  /** Addresses (or CIDR ranges) of the load balancers whose X-Forwarded-For names the real client. */
  trustedProxies: string[];
  /** Size limit of the NATS work stream (awards and results not yet acknowledged). */
  workStreamMaxBytes: number;
  /** Copies of each JetStream stream and bucket (the NATS cluster's replication factor). */
  natsReplicas: number;
  /** Largest uncompressed ACIR of an uploaded circuit. */
  maxAcirBytes: number;
  /** Largest circuit (gates) accepted for registration. */
  maxGates: number;
  /** Longest a circuit registration may take to measure. */
  registerTimeoutMs: number;
  /** Uploaders (lowercase addresses) whose new circuits' verifiers this coordinator deploys at its
   *  own cost; anyone else deploys the verifier itself. */
  sponsoredUploaders: string[];
  logLevel: string;
}

export const coordinatorSettings: Settings<CoordinatorConfig> = {
  databaseUrl: { env: 'DATABASE_URL', description: 'PostgreSQL connection string', parse: parsers.string },
  dbPoolSize: {
    env: 'GAVEL_DB_POOL_SIZE',
    description: 'database connections in the pool',
    parse: parsers.int(1, 100),
    default: 10,
  },
  natsUrl: commonSettings.natsUrl,
  natsCa: commonSettings.natsCa,
  natsCreds: {
    env: 'GAVEL_NATS_CREDS',
    description: "path of the coordinator's NATS creds file (empty: no credentials)",
    parse: parsers.string,
    default: '',
  },
  natsAccountSeed: {
    env: 'GAVEL_NATS_ACCOUNT_SEED',
    description:
      "seed of the market's NATS account, used to issue each prover's credentials (empty: open NATS)",
    parse: parsers.string,
    default: '',
  },
  openNats: {
    env: 'GAVEL_OPEN_NATS',
    description:
      'run without GAVEL_NATS_ACCOUNT_SEED on an open NATS, where anyone reads bids and forges messages (1: local development only; otherwise the coordinator refuses to start)',
    parse: parsers.flag,
    default: false,
  },
  allowDevPtau: {
    env: 'GAVEL_ALLOW_DEV_PTAU',
    description:
      'accept PLONK circuits set up from the development ptau of gavel setup ptau, for which anyone can forge proofs (1: local development only; otherwise they are refused at registration)',
    parse: parsers.flag,
    default: false,
  },
  natsCredentialsTtlSeconds: {
    env: 'GAVEL_NATS_CREDENTIALS_TTL_SECONDS',
    description:
      "how long a prover's NATS credentials last; the agent renews them (the server then closes its connection as the old ones expire, and it reconnects at once with the new ones), and a prover no longer registered or out of good standing is refused renewal, so it is cut off within this time",
    parse: parsers.int(2, 7 * 86_400),
    default: 3600,
  },
  rpcUrl: commonSettings.rpcUrl,
  deploymentFile: commonSettings.deploymentFile,
  coordinatorKey: {
    env: 'GAVEL_COORDINATOR_KEY',
    description: 'private key holding the coordinator role (one per replica)',
    parse: parsers.privateKey,
  },
  host: {
    env: 'GAVEL_HOST',
    description: 'HTTP listen address',
    parse: parsers.string,
    default: '127.0.0.1',
  },
  port: {
    env: 'GAVEL_PORT',
    description: 'HTTP port (0 = any free port)',
    parse: parsers.int(0, 65535),
    default: 8080,
  },
  publicUrl: {
    env: 'GAVEL_PUBLIC_URL',
    description: 'URL provers use to reach this coordinator (default http://HOST:PORT)',
    parse: parsers.url,
    default: '',
  },
  auctionWindowMs: {
    env: 'GAVEL_AUCTION_WINDOW_MS',
    description: 'how long each auction accepts bids',
    parse: parsers.int(50),
    default: 1500,
  },
  reannounceBaseMs: {
    env: 'GAVEL_REANNOUNCE_BASE_MS',
    description: 'first wait before re-announcing a job that drew no bids (doubles each round)',
    parse: parsers.int(10),
    default: 1000,
  },
  reannounceMaxMs: {
    env: 'GAVEL_REANNOUNCE_MAX_MS',
    description: 'longest wait between re-announcements',
    parse: parsers.int(10),
    default: 30_000,
  },
  relayAfterMs: {
    env: 'GAVEL_RELAY_AFTER_MS',
    description:
      "how long a verified job's on-chain fulfilment is left to its prover before the coordinator relays it at its own gas (0: at once)",
    parse: parsers.int(0),
    default: 30_000,
  },
  settleMarginMs: {
    env: 'GAVEL_SETTLE_MARGIN_MS',
    description: 'time reserved before a deadline for verification and settlement',
    parse: parsers.int(0),
    default: 5000,
  },
  assignMarginSeconds: {
    env: 'GAVEL_ASSIGN_MARGIN_SECONDS',
    description:
      "seconds after an auction closes within which its assignment is mined (a few blocks); a bid whose delivery time does not fit between then and the job's deadline is refused, as the chain would refuse its assignment",
    parse: parsers.int(0, 3600),
    default: 30,
  },
  maxBatchItems: {
    env: 'GAVEL_MAX_BATCH_ITEMS',
    description: 'largest batch per job',
    parse: parsers.int(1),
    default: 64,
  },
  maxUploadBytes: {
    env: 'GAVEL_MAX_UPLOAD_BYTES',
    description: 'largest HTTP request body',
    parse: parsers.int(1024),
    default: 8 * 1024 * 1024,
  },
  rateLimitPerMin: {
    env: 'GAVEL_RATE_LIMIT_PER_MIN',
    description: 'HTTP requests per minute per client address (0 = no limit)',
    parse: parsers.int(0),
    default: 3000,
  },
  trustedProxies: {
    env: 'GAVEL_TRUSTED_PROXIES',
    description:
      "addresses or CIDR ranges of the load balancers in front of the replicas (comma-separated): only their X-Forwarded-For is believed, so rate limits count each real client ('' = none: the peer address is the client)",
    parse: (raw) =>
      raw
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
    default: [],
  },

  workStreamMaxBytes: {
    env: 'GAVEL_WORK_STREAM_MAX_BYTES',
    description:
      'size limit of the NATS work stream (unacknowledged awards and results); when full, publishers retry',
    parse: parsers.int(4096),
    default: 1024 * 1024 * 1024,
  },
  natsReplicas: {
    env: 'GAVEL_NATS_REPLICAS',
    description:
      'copies of each JetStream stream and bucket on a NATS cluster (3 on a 3-node cluster survives one node down)',
    parse: parsers.int(1, 5),
    default: 1,
  },
  maxAcirBytes: {
    env: 'GAVEL_MAX_ACIR_BYTES',
    description: 'largest uncompressed ACIR of an uploaded circuit (stops gzip bombs)',
    parse: parsers.int(1024),
    default: 32 * 1024 * 1024,
  },
  maxGates: {
    env: 'GAVEL_MAX_GATES',
    description: 'largest circuit, in gates, accepted for registration',
    parse: parsers.int(1),
    default: 1 << 22,
  },
  registerTimeoutMs: {
    env: 'GAVEL_REGISTER_TIMEOUT_MS',
    description: 'longest a circuit registration may take to measure',
    parse: parsers.int(100),
    default: 60_000,
  },
  sponsoredUploaders: {
    env: 'GAVEL_SPONSORED_UPLOADERS',
    description:
      "addresses whose circuit registrations this coordinator pays for (comma-separated): it deploys their verifiers from its own key. Anyone else deploys and registers the verifier itself, which `gavel circuit register` does with --key ('' = nobody: the coordinator's ETH pays only assignments and relays)",
    parse: parsers.addresses,
    default: [],
  },
  logLevel: commonSettings.logLevel,
};
