// The demo: a local marketplace comes up, batch_transfer is registered, several batch jobs are
// submitted and followed through auction, proving, verification and on-chain payment, a summary
// is printed, and everything is stopped again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatEther, parseEther, Wallet } from 'ethers';
import { GavelContracts, rpcProvider } from '../shared/chain/gavel-contracts.js';
import { generateBatches } from '../shared/circuits/batch-transfer-inputs.js';
import { registerAsUploader } from '../shared/client/circuit-upload.js';
import { CoordinatorClient, type JobView, openAndSubmitJob } from '../shared/client/coordinator-client.js';
import { GavelError } from '../shared/errors.js';
import { createLogger } from '../shared/log.js';
import { type SignedAttestation, VERDICT_NAME } from '../shared/protocol/attestation.js';
import { isTerminalJobState } from '../shared/protocol/job-states.js';
import { loadCircuit } from '../shared/proving/circuit-artifact.js';
import { pollUntil, sleep } from '../shared/retry.js';
import { type DevStack, type StackProver, startDevStack } from './dev-stack.js';

export interface DemoOptions {
  jobs: number;
  items: number;
  provers: number;
  json: boolean;
  logLevel: string;
}

export interface DemoJobSummary {
  jobId: string;
  rule: string;
  status: string;
  items: number;
  bids: number;
  winner: string;
  winnerName: string;
  clearingPriceEth: string;
  reserveEth: string;
  /** Gas of the fulfilment transactions that verified the job's proofs on-chain and paid. */
  fulfilGas: string;
  stagesMs: { auction: number; award: number; proving: number; verifyAndSettle: number; total: number };
}

/** A watchtower's signed attestation of one demo job (GET /v1/attestations/:jobId on it). */
export type DemoAttestation = SignedAttestation;

export interface DemoSummary {
  jobs: DemoJobSummary[];
  /** The local watchtower's attestation of the first job (none without watchtowers). */
  attestation?: DemoAttestation;
  requesterSpentEth: string;
  proverEarningsEth: Record<string, string>;
  wallMs: number;
}

const RESERVE = parseEther('0.05');

type Say = (line: string) => void;

/** Prepared circuits a prover reports (its /metrics), or 0 while it cannot be read. */
async function preparedBy(prover: StackProver): Promise<number> {
  const text = await fetch(prover.metrics).then(
    (r) => r.text(),
    () => '',
  );
  return text
    .split('\n')
    .filter((l) => l.startsWith('gavel_prover_circuits_prepared_total{'))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

/** Waits (up to a minute) until every prover has prepared the circuit just registered: noticed of
 *  it, each builds its VK and checks its verifier before its first auction, and one still doing
 *  so when the first auction closes would sit it out (on a loaded machine, a bid short). */
function everyProverPrepared(stack: DevStack): Promise<boolean> {
  return pollUntil(
    async () => (await Promise.all(stack.endpoints.provers.map(preparedBy))).every((n) => n >= 1),
    { everyMs: 200, timeoutMs: 60_000 },
  );
}

/** Registers batch_transfer and submits `opts.jobs` jobs (every third one first-price). */
async function submitJobs(stack: DevStack, opts: DemoOptions, contracts: GavelContracts, say: Say) {
  const client = new CoordinatorClient(stack.endpoints.coordinator);
  const artifact = loadCircuit('batch_transfer');
  const circuit = await registerAsUploader(client, contracts, artifact);
  say(
    `▶ registered batch_transfer: ${circuit.gates} gates, dyadic ${circuit.dyadic}, vk hash ${circuit.vkHash.slice(0, 18)}…`,
  );
  if (circuit.created && !(await everyProverPrepared(stack))) say('▶ not every prover has prepared it yet');
  const submitted: { jobId: string; rule: string }[] = [];
  for (let j = 0; j < opts.jobs; j++) {
    const batches = await generateBatches(artifact, opts.items, j + 1);
    const rule = j % 3 === 2 ? 'FIRST_PRICE' : 'SECOND_PRICE';
    const { jobId } = await openAndSubmitJob(client, contracts, {
      circuitId: circuit.id,
      items: batches.map((b) => b.inputs),
      reserve: RESERVE,
      collateral: parseEther('0.5'),
      deadlineIn: 600,
      rule,
      // Every local watchtower mirrors the inputs and signs that it does before the auction.
      mirrors: stack.endpoints.watchtowers.map((t) => t.url),
    });
    submitted.push({ jobId, rule });
    const mirrored = stack.endpoints.watchtowers.length;
    say(
      `▶ job ${short(jobId)}: ${opts.items} batches of transfers, ${formatEther(RESERVE)} ETH escrowed, ${rule.toLowerCase().replace('_', '-')} auction` +
        (mirrored ? `, inputs held by ${mirrored} watchtower mirror(s)` : ''),
    );
  }
  return submitted;
}

/** The gas of every transaction that verified items of `jobId` on-chain (ItemsVerified). */
async function fulfilGas(contracts: GavelContracts, jobId: string): Promise<bigint> {
  const events = await contracts.market.queryFilter(contracts.market.filters.ItemsVerified?.(jobId) ?? '*');
  let gas = 0n;
  for (const e of events) gas += (await e.getTransactionReceipt()).gasUsed;
  return gas;
}

/** One summary row per job: outcome, bids of its last round, winner, price and stage times. */
async function summarize(
  client: CoordinatorClient,
  contracts: GavelContracts,
  submitted: { jobId: string; rule: string }[],
  finals: Map<string, JobView>,
  names: Map<string, string>,
): Promise<DemoJobSummary[]> {
  const summaries: DemoJobSummary[] = [];
  for (const { jobId, rule } of submitted) {
    const job = finals.get(jobId) as JobView;
    const last = (await client.auctions(jobId)).auctions.at(-1);
    summaries.push({
      jobId,
      rule,
      status: job.status,
      items: job.items,
      bids: last?.bids.length ?? 0,
      winner: job.winner ?? '',
      winnerName: names.get(job.winner ?? '') ?? '',
      clearingPriceEth: formatEther(job.clearingPriceWei ?? '0'),
      reserveEth: formatEther(RESERVE),
      fulfilGas: (await fulfilGas(contracts, jobId)).toString(),
      stagesMs: stages(job),
    });
  }
  return summaries;
}

/** Runs the jobs through the stack and adds up who paid and earned what. */
async function runJobs(stack: DevStack, opts: DemoOptions, say: Say, started: number): Promise<DemoSummary> {
  const e = stack.endpoints;
  say(`  coordinator ${e.coordinator} · chain ${e.rpc} · NATS ${e.nats} · ${e.databaseKind} database`);
  for (const p of e.provers)
    say(`  ${p.name} ${p.address}: min ${formatEther(p.minPriceWei)} ETH, ${p.pricePerGateWei} wei/gate`);
  const provider = rpcProvider(e.rpc);
  try {
    const requester = new Wallet(e.requesterKey, provider);
    const contracts = new GavelContracts(stack.deployment, requester);
    const balanceBefore = await provider.getBalance(requester.address);
    const submitted = await submitJobs(stack, opts, contracts, say);
    const client = new CoordinatorClient(e.coordinator);
    const names = new Map(e.provers.map((p) => [p.address.toLowerCase(), p.name]));
    const finals = await follow(client, submitted, names, say);
    const jobs = await summarize(client, contracts, submitted, finals, names);
    // Settlement refunds escrow minus price to the requester's claimable balance; claim it.
    if ((await contracts.marketClaimable(requester.address)) > 0n) await contracts.claimMarket();
    const spent = balanceBefore - (await provider.getBalance(requester.address));
    const earnings: Record<string, string> = {};
    for (const p of e.provers) earnings[p.name] = formatEther(await contracts.marketClaimable(p.address));
    const attestation = await watchtowerAttestation(stack, jobs[0]?.jobId);
    return {
      jobs,
      ...(attestation ? { attestation } : {}),
      requesterSpentEth: formatEther(spent),
      proverEarningsEth: earnings,
      wallMs: Date.now() - started,
    };
  } finally {
    provider.destroy();
  }
}

export async function runDemo(opts: DemoOptions): Promise<DemoSummary> {
  const say: Say = (line) => {
    if (!opts.json) process.stdout.write(`${line}\n`);
  };
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'gavel-demo-'));
  say(`▶ starting a local marketplace with ${opts.provers} provers`);
  const stack = await startDevStack(
    {
      provers: opts.provers,
      rpcPort: 0,
      httpPort: 0,
      databaseUrl: process.env.DATABASE_URL,
      deploymentFile: join(dir, 'deployment.json'),
      log: (service) => createLogger(service, opts.logLevel),
      logLevel: opts.logLevel,
    },
    (step) => say(`  · ${step}`),
  );
  try {
    const summary = await runJobs(stack, opts, say, started);
    printSummary(summary, say);
    const unsettled = summary.jobs.filter((s) => s.status !== 'SETTLED');
    if (unsettled.length > 0)
      throw new GavelError('DEMO_FAILED', `${unsettled.length} job(s) did not settle`, {
        details: { summary },
      });
    return summary;
  } finally {
    say('▶ stopping the marketplace');
    await stack.stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls the jobs until all end, printing each change of state and proving progress. */
async function follow(
  client: CoordinatorClient,
  jobs: { jobId: string }[],
  names: Map<string, string>,
  say: (line: string) => void,
): Promise<Map<string, JobView>> {
  const seen = new Map<string, string>();
  const finals = new Map<string, JobView>();
  const deadline = Date.now() + 300_000;
  while (finals.size < jobs.length) {
    if (Date.now() > deadline) throw new GavelError('DEMO_TIMEOUT', 'jobs did not finish within 5 minutes');
    for (const { jobId } of jobs) {
      if (finals.has(jobId)) continue;
      const j = await client.job(jobId);
      const a = j.assignments.at(-1);
      const key = `${j.status}:${a?.progress ?? 0}`;
      if (seen.get(jobId) !== key) {
        seen.set(jobId, key);
        say(`  job ${short(jobId)} ${describe(j, names)}`);
      }
      if (isTerminalJobState(j.status)) finals.set(jobId, j);
    }
    await sleep(200);
  }
  return finals;
}

function describe(j: JobView, names: Map<string, string>): string {
  const a = j.assignments.at(-1);
  const who = a ? (names.get(a.prover) ?? a.prover) : '';
  switch (j.status) {
    case 'AUCTIONING':
      return 'auction open: provers are bidding';
    case 'ASSIGNED':
      return `won by ${who} at ${formatEther(a?.priceWei ?? '0')} ETH; collateral locked on-chain`;
    case 'PROVING':
      return `${who} proving: ${a?.progress ?? 0}/${j.items} batch items`;
    case 'VERIFYING':
      return `all ${j.items} proofs in; verifying and settling on-chain`;
    case 'SETTLED':
      return `SETTLED: ${j.verifiedProofs} proofs verified, ${who} paid ${formatEther(j.clearingPriceWei ?? '0')} ETH`;
    default:
      return `${j.status}${j.failureReason ? `: ${j.failureReason}` : ''}`;
  }
}

function stages(j: JobView): DemoJobSummary['stagesMs'] {
  const at = (to: string) => {
    const e = j.events.find((x) => x.to === to);
    return e ? Date.parse(e.at) : Number.NaN;
  };
  const submitted = Date.parse(j.events[0]?.at ?? '');
  const [auction, assigned, proving, verifying, settled] = [
    'AUCTIONING',
    'ASSIGNED',
    'PROVING',
    'VERIFYING',
    'SETTLED',
  ].map(at) as [number, number, number, number, number];
  return {
    auction: assigned - auction,
    award: proving - assigned,
    proving: verifying - proving,
    verifyAndSettle: settled - verifying,
    total: settled - submitted,
  };
}

/** The local watchtower's attestation of `jobId`, once it has checked it (up to 60 s). */
async function watchtowerAttestation(stack: DevStack, jobId: string | undefined) {
  const tower = stack.endpoints.watchtowers[0];
  if (!tower || !jobId) return undefined;
  for (let i = 0; i < 120; i++) {
    const res = await fetch(`${tower.url}/v1/attestations/${jobId}`).catch(() => undefined);
    if (res?.ok) return ((await res.json()) as { attestations: SignedAttestation[] }).attestations[0];
    await sleep(500);
  }
  return undefined;
}

function printSummary(s: DemoSummary, say: (line: string) => void): void {
  say('');
  say(
    'job          rule          bids  winner         price (ETH)  auction  proving  settle   total  fulfil gas',
  );
  for (const j of s.jobs) {
    say(
      [
        short(j.jobId).padEnd(12),
        j.rule.padEnd(13),
        String(j.bids).padStart(4),
        ` ${j.winnerName.padEnd(14)}`,
        j.clearingPriceEth.padStart(11),
        ms(j.stagesMs.auction),
        ms(j.stagesMs.proving),
        ms(j.stagesMs.verifyAndSettle),
        ms(j.stagesMs.total),
        j.fulfilGas.padStart(11),
      ].join(' '),
    );
  }
  say('');
  say(`requester paid ${s.requesterSpentEth} ETH in total (prices + gas; the unspent escrow was refunded)`);
  for (const [name, eth] of Object.entries(s.proverEarningsEth)) say(`${name} earned ${eth} ETH (claimable)`);
  const a = s.attestation;
  if (a)
    say(
      `watchtower ${short(a.watchtower)} attested job ${short(a.jobId)}: auction ${VERDICT_NAME[a.auction]} (transcript against the root committed on-chain), proofs ${VERDICT_NAME[a.proofs]} (re-verified with bb from the fulfilment calldata), inputs availability ${VERDICT_NAME[a.availability]} (mirrored, matching the committed hash); signature ${a.signature.slice(0, 18)}…`,
    );
  say(`demo finished in ${(s.wallMs / 1000).toFixed(1)} s`);
}

const short = (id: string) => `${id.slice(0, 10)}…`;
const ms = (v: number) => (Number.isFinite(v) ? `${(v / 1000).toFixed(1)}s` : '-').padStart(8);
