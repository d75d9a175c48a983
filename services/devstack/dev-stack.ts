// The development marketplace of `gavel dev up` and the demo: the local stack with N staked prover
// agents (each its own process, each with a different price policy so auctions have something to
// decide), watchtowers enforcing deadlines, and a funded requester account, described by its
// endpoints.
import { parseEther, Wallet } from 'ethers';
import type { Logger } from 'pino';
import { devKey } from '../infra/anvil.js';
import type { Deployment } from '../shared/chain/deployment.js';
import { GavelError } from '../shared/errors.js';
import { snarkjsInstalled } from '../shared/proving/plonk/snarkjs-files.js';
import { LocalStack } from './stack.js';
import { measureSpeed } from './stack-parts.js';

export interface DevStackOptions {
  provers: number;
  /** Watchtowers (`gavel watch` processes) to run, 0..2 (default 1). */
  watchtowers?: number;
  /** Coordinator replicas, 1..4 (default 1); more than one run behind an HTTP load balancer. */
  coordinators?: number;
  /** NATS nodes: 1 (default) or a cluster of 3..5 with JetStream at replicas 3. */
  natsNodes?: number;
  /** Anvil's port (0: any free port). */
  rpcPort: number;
  /** The coordinator's HTTP port (0: any free port). */
  httpPort: number;
  /** A Postgres server; the stack (re)creates its own database `gavel_dev` there. Else embedded. */
  databaseUrl?: string | undefined;
  deploymentFile: string;
  auctionWindowMs?: number;
  log: (service: string) => Logger;
  /** Log level of the prover agents (their own processes; their logs go to this stderr). */
  logLevel: string;
}

export interface StackProver {
  name: string;
  address: string;
  key: string;
  minPriceWei: string;
  pricePerGateWei: string;
  pid: number;
  metrics: string;
}

export interface StackEndpoints {
  /** The coordinator's API (with several replicas: their load balancer). */
  coordinator: string;
  /** Each coordinator replica's own URL. */
  replicas: string[];
  rpc: string;
  nats: string;
  database: string;
  databaseKind: 'embedded' | 'postgres';
  deployment: string;
  market: string;
  staking: string;
  chainId: number;
  /** A funded account for submitting jobs (anvil's well-known development key). */
  requesterKey: string;
  requester: string;
  provers: StackProver[];
  watchtowers: { address: string; pid: number; url: string; metrics: string }[];
}

const PROVER_STAKE = parseEther('10');
const REQUESTER_INDEX = 9;
/** Watchtowers use the accounts after the requester's. */
const FIRST_WATCHTOWER_INDEX = 10;

export interface DevStack {
  stack: LocalStack;
  endpoints: StackEndpoints;
  deployment: Deployment;
}

/** Registers, stakes and starts dev prover `i` (1-based) with its own price policy. */
async function startDevProver(stack: LocalStack, i: number, gatesPerSec: number): Promise<StackProver> {
  const name = `dev-prover-${i}`;
  const contracts = stack.chain.as(i);
  await contracts.registerProver(name, '', PROVER_STAKE);
  const minPriceWei = (parseEther('0.001') * BigInt(i)).toString();
  const pricePerGateWei = (10n ** 9n * BigInt(2 * i + 1)).toString();
  const agent = await stack.startProverProcess(i, {
    name,
    // Dev provers prove both systems when snarkjs (optional) is installed.
    proofSystems: snarkjsInstalled() ? 'ultrahonk,plonk' : 'ultrahonk',
    gatesPerSec: String(gatesPerSec),
    minPriceWei,
    pricePerGateWei,
    heartbeatMs: '500',
  });
  const address = (stack.chain.wallets[i] as Wallet).address;
  const key = devKey(i);
  return {
    name,
    address,
    key,
    minPriceWei,
    pricePerGateWei,
    pid: agent.pid,
    metrics: String(agent.ready.metricsUrl),
  };
}

export async function startDevStack(
  opts: DevStackOptions,
  onStep: (step: string) => void = () => {},
): Promise<DevStack> {
  if (!Number.isInteger(opts.provers) || opts.provers < 1 || opts.provers > 8)
    throw new GavelError('BAD_PROVERS', '--provers must be 1..8');
  const towers = opts.watchtowers ?? 1;
  if (!Number.isInteger(towers) || towers < 0 || towers > 2)
    throw new GavelError('BAD_WATCHTOWERS', '--watchtowers must be 0..2');
  const replicas = opts.coordinators ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 4)
    throw new GavelError('BAD_COORDINATORS', '--coordinators must be 1..4');
  if (replicas > 1 && !opts.databaseUrl)
    throw new GavelError(
      'REPLICAS_NEED_POSTGRES',
      'coordinator replicas share one database and lock its rows: give them a Postgres server (--database-url or DATABASE_URL); the embedded database has a single session',
    );
  const natsNodes = opts.natsNodes ?? 1;
  if (!Number.isInteger(natsNodes) || natsNodes < 1 || natsNodes === 2 || natsNodes > 5)
    throw new GavelError('BAD_NATS_CLUSTER', '--nats-cluster must be 1 (one server) or 3..5 nodes');
  const stack = await LocalStack.start(
    {
      // The coordinator posts a bond: a watchtower takes it on evidence of a hidden bid or a wrong award.
      chain: { port: opts.rpcPort, accounts: 12, cooldownSeconds: 60, coordinatorBondWei: parseEther('1') },
      databaseServer: opts.databaseUrl,
      database: { name: 'gavel_dev', drop: false },
      deploymentFile: opts.deploymentFile,
      natsNodes,
      coordinator: {
        inProcess: true,
        replicas,
        port: opts.httpPort,
        settings: { auctionWindowMs: String(opts.auctionWindowMs ?? 1500), logLevel: opts.logLevel },
        log: opts.log('coordinator'),
      },
      logLevel: opts.logLevel,
    },
    onStep,
  );
  try {
    // Watchtowers first: provers file their bid receipts with them.
    const watchtowers = [];
    for (let i = 0; i < towers; i++) {
      onStep(`starting watchtower ${i + 1} of ${towers}`);
      const w = await stack.startWatchtowerProcess(FIRST_WATCHTOWER_INDEX + i);
      watchtowers.push({
        address: String(w.ready.address),
        pid: w.pid,
        url: String(w.ready.url),
        metrics: String(w.ready.metricsUrl),
      });
    }
    onStep('measuring proving speed');
    const gatesPerSec = await measureSpeed();
    const provers: StackProver[] = [];
    for (let i = 1; i <= opts.provers; i++) {
      onStep(`registering, staking and starting prover ${i} of ${opts.provers}`);
      provers.push(await startDevProver(stack, i, gatesPerSec));
    }
    const { deployment } = stack.chain;
    const requesterKey = devKey(REQUESTER_INDEX);
    const endpoints: StackEndpoints = {
      coordinator:
        stack.replicas > 1 ? stack.coordinatorUrl : (stack.coordinator?.httpUrl ?? stack.coordinatorUrl),
      replicas: stack.replicaUrls,
      rpc: stack.chain.anvil.url,
      nats: stack.natsUrl,
      database: stack.database.url,
      databaseKind: stack.database.kind,
      deployment: stack.deploymentFile,
      market: deployment.market,
      staking: deployment.staking,
      chainId: deployment.chainId,
      requesterKey,
      requester: new Wallet(requesterKey).address,
      provers,
      watchtowers,
    };
    return { stack, endpoints, deployment };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
