import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatEther } from 'ethers';
import { fulfilItems } from '../../shared/chain/fulfil-items.js';
import { commitPublicInputs } from '../../shared/chain/public-inputs-commitment.js';
import { type JobView, openAndSubmitJob, type ProofsView } from '../../shared/client/coordinator-client.js';
import { GavelError } from '../../shared/errors.js';
import { isTerminalJobState } from '../../shared/protocol/job-states.js';
import { writeBbFiles } from '../../shared/proving/bb-export.js';
import { bbBinaryPath } from '../../shared/proving/bb-paths.js';
import { locateCrs } from '../../shared/proving/crs.js';
import { isPlonkVk, writeSnarkjsFiles } from '../../shared/proving/plonk/snarkjs-export.js';
import { sleep } from '../../shared/retry.js';
import { type ChainFlags, contracts, parseEth, parseJobId, withChainOptions } from '../chain-options.js';
import { type CoordinatorFlags, coordinatorClient, withCoordinatorOption } from '../coordinator-options.js';
import { printResult } from '../output.js';
import { progressLine } from '../progress.js';
import { cliSettings, settingOption } from '../setting-options.js';

type Flags = ChainFlags & CoordinatorFlags;

function readItems(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) throw new GavelError('NO_INPUTS', `no inputs file ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new GavelError('BAD_INPUTS_FILE', `${file} is not JSON`, { cause });
  }
  const items = Array.isArray(parsed) ? parsed : (parsed as { items?: unknown }).items;
  if (
    !Array.isArray(items) ||
    items.length === 0 ||
    !items.every((i) => i && typeof i === 'object' && !Array.isArray(i))
  ) {
    throw new GavelError(
      'BAD_INPUTS_FILE',
      `${file} must hold a JSON array of input objects (one per batch item)`,
    );
  }
  return items as Record<string, unknown>[];
}

function describeJob(j: JobView): string[] {
  const lines = [`job ${j.jobId}: ${j.status}`, `  items     ${j.verifiedProofs}/${j.items} proofs verified`];
  if (j.winner)
    lines.push(`  winner    ${j.winner} at ${formatEther(BigInt(j.clearingPriceWei ?? '0'))} ETH`);
  if (j.failureReason) lines.push(`  last failure: ${j.failureReason}`);
  lines.push(`  deadline  ${j.deadline}`);
  return lines;
}

/** Polls a job until it ends, showing its state (and proving progress) on a terminal. */
async function follow(flags: Flags, jobId: string, timeoutMs: number): Promise<JobView> {
  const client = coordinatorClient(flags);
  const started = Date.now();
  const progress = progressLine(!flags.json);
  try {
    for (;;) {
      const j = await client.job(jobId);
      const a = j.assignments.at(-1);
      progress.update(
        `${j.status.padEnd(10)} ${a ? `prover ${a.prover.slice(0, 10)}… ${a.progress}/${j.items} items` : ''}` +
          `  ${Math.round((Date.now() - started) / 1000)}s`,
      );
      if (isTerminalJobState(j.status)) return j;
      if (Date.now() - started > timeoutMs)
        throw new GavelError('WAIT_TIMEOUT', `job ${jobId} still ${j.status}`);
      await sleep(500);
    }
  } finally {
    progress.done();
  }
}

function parseCount(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new GavelError('BAD_ARGUMENT', `${flag} must be a positive integer`);
  return n;
}

/** `job submit`: open the escrow on-chain, submit the job, optionally follow it to the end. */
function submitCommand(job: Command): void {
  withCoordinatorOption(
    withChainOptions(
      job
        .command('submit')
        .description('open a funded escrow on-chain and submit a batch proving job')
        .requiredOption('--circuit <id>', 'registered circuit id')
        .requiredOption('--inputs <file>', 'JSON array of input objects, one per batch item')
        .requiredOption('--reserve <eth>', 'maximum price (escrowed)')
        .option('--collateral <eth>', 'stake the winner must lock', '0.1')
        .option('--deadline <seconds>', 'seconds from now by which proofs must be settled', '600')
        .option('--first-price', 'pay the winning bid instead of the second-lowest one')
        .option(
          '--public',
          'let anyone read the inputs (default: only you and the assigned prover); watchtowers then mirror them without a push',
        )
        .addOption(
          settingOption(
            '--mirror <url>',
            cliSettings.mirrors,
            'watchtower to push the inputs to first (repeatable; from the environment, comma-separated): a prover falls back to it if the coordinator withholds them',
          )
            .argParser((urls: string, all: string[]) => [
              ...all,
              ...urls
                .split(',')
                .map((u) => u.trim())
                .filter(Boolean),
            ])
            .default([] as string[]),
        )
        .option(
          '--mirrors-required <k>',
          'how many --mirror watchtowers must sign that they hold the inputs before the job is auctioned (default: all)',
        )
        .option('--wait', 'wait until the job ends, showing progress'),
    ),
  ).action(
    async (
      flags: Flags & {
        circuit: string;
        inputs: string;
        reserve: string;
        collateral: string;
        deadline: string;
        firstPrice?: boolean;
        public?: boolean;
        mirror: string[];
        mirrorsRequired?: string;
        wait?: boolean;
      },
    ) => {
      const deadlineIn = Number(flags.deadline);
      if (!Number.isInteger(deadlineIn) || deadlineIn <= 0)
        throw new GavelError('BAD_DEADLINE', '--deadline must be a positive number of seconds');
      const submitted = await openAndSubmitJob(coordinatorClient(flags), contracts(flags), {
        circuitId: flags.circuit,
        items: readItems(resolve(flags.inputs)),
        reserve: parseEth(flags.reserve, '--reserve'),
        collateral: parseEth(flags.collateral, '--collateral'),
        deadlineIn,
        rule: flags.firstPrice ? 'FIRST_PRICE' : 'SECOND_PRICE',
        public: flags.public === true,
        mirrors: flags.mirror,
        ...(flags.mirrorsRequired === undefined
          ? {}
          : { mirrorsRequired: parseCount(flags.mirrorsRequired, '--mirrors-required') }),
      });
      if (!flags.wait) {
        printResult(flags, submitted, `submitted job ${submitted.jobId} (${submitted.status})`);
        return;
      }
      const final = await follow(flags, submitted.jobId, (deadlineIn + 30) * 1000);
      printResult(flags, final, describeJob(final));
      if (final.status !== 'SETTLED') process.exitCode = 1;
    },
  );
}

/** `job status`: state, winner, price and progress. */
function statusCommand(job: Command): void {
  withCoordinatorOption(
    job
      .command('status <id>')
      .description('state, winner, price and progress of a job')
      .option('--wait', 'wait until the job ends, showing progress')
      .option('--json', 'print one JSON document on stdout'),
  ).action(async (id: string, flags: Flags & { wait?: boolean }) => {
    const jobId = parseJobId(id);
    const j = flags.wait
      ? await follow(flags, jobId, 24 * 3600_000)
      : await coordinatorClient(flags).job(jobId);
    printResult(flags, j, describeJob(j));
  });
}

/** `job list`: recent jobs. */
function listCommand(job: Command): void {
  withCoordinatorOption(
    job
      .command('list')
      .description('recent jobs')
      .option('--status <status>', 'only jobs in this state (e.g. SETTLED)')
      .option('--json', 'print one JSON document on stdout'),
  ).action(async (flags: Flags & { status?: string }) => {
    const { jobs } = await coordinatorClient(flags).jobs(flags.status?.toUpperCase());
    printResult(
      flags,
      { jobs },
      jobs.length === 0
        ? 'no jobs'
        : jobs.map((j) => `${j.jobId}  ${j.status.padEnd(10)} ${j.items} items  ${j.winner ?? ''}`),
    );
  });
}

type ProofFiles = { vk: string; proof: string; publicInputs: string };

const snarkjsVerifyLine = (f: ProofFiles) =>
  `  npx snarkjs plonk verify ${f.vk} ${f.publicInputs} ${f.proof}`;

function bbVerifyLine(): (f: ProofFiles) => string {
  const bbPath = bbBinaryPath();
  const bb = bbPath ? relative(process.cwd(), bbPath) : 'bb';
  const crs = locateCrs().dir;
  return (f) => `  ${bb} verify -t evm -k ${f.vk} -p ${f.proof} -i ${f.publicInputs} -c ${crs}`;
}

/** `job proof`: verified proofs as files `bb verify` checks (offline with the local CRS), or, for
 *  a PLONK circuit, files `snarkjs plonk verify` checks. */
function proofCommand(job: Command): void {
  withCoordinatorOption(
    job
      .command('proof <id>')
      .description(
        'download verified proofs as files the bb CLI verifies (bb verify -t evm -k vk -p proof -i public_inputs), or for PLONK snarkjs (snarkjs plonk verify vk.json public.json proof.json)',
      )
      .option('--out <dir>', 'folder to write item-N/{proof,public_inputs,vk} into', 'proofs')
      .option('--json', 'print one JSON document on stdout'),
  ).action(async (id: string, flags: Flags & { out: string }) => {
    const jobId = parseJobId(id);
    const view = await coordinatorClient(flags).proofs(jobId);
    const vk = new Uint8Array(Buffer.from(view.vk, 'base64'));
    const dir = resolve(flags.out, jobId);
    const plonk = isPlonkVk(vk);
    const write = plonk ? writeSnarkjsFiles : writeBbFiles;
    const files = view.proofs.map((p) =>
      write(
        join(dir, `item-${p.item}`),
        { proof: new Uint8Array(Buffer.from(p.proof, 'base64')), publicInputs: p.publicInputs },
        vk,
      ),
    );
    printResult(flags, { jobId, dir, files }, [
      `wrote ${files.length} ${plonk ? 'PLONK ' : ''}proofs to ${dir}`,
      ...files.map(plonk ? snarkjsVerifyLine : bbVerifyLine()),
    ]);
  });
}

/** `job cancel`: refund an unassigned job on-chain and tell the coordinator. */
function cancelCommand(job: Command): void {
  withCoordinatorOption(
    withChainOptions(
      job.command('cancel <id>').description('cancel an unassigned job: refund the escrow on-chain'),
    ),
  ).action(async (id: string, flags: Flags) => {
    const jobId = parseJobId(id);
    const receipt = await contracts(flags).cancel(jobId);
    const out = await coordinatorClient(flags)
      .cancelled(jobId, contracts(flags).signer())
      .catch((err: unknown) => ({ jobId, status: 'CANCELLED', coordinator: String(err) }));
    printResult(
      flags,
      { ...out, tx: receipt.hash },
      `cancelled job ${jobId}; escrow refunded (tx ${receipt.hash})`,
    );
  });
}

/** `job fulfil`: anyone holding a job's proofs (from the coordinator or a file) gets them verified
 *  on-chain, which pays the assigned prover: no coordinator needed. */
function fulfilCommand(job: Command): void {
  withCoordinatorOption(
    withChainOptions(
      job
        .command('fulfil <id>')
        .description("verify a job's proofs on-chain, which pays its prover (anyone holding them may)")
        .option(
          '--proofs <file>',
          'the proofs as JSON (GET /v1/jobs/<id>/proofs); default: ask the coordinator',
        ),
    ),
  ).action(async (id: string, flags: Flags & { proofs?: string }) => {
    const jobId = parseJobId(id);
    const view = flags.proofs
      ? (JSON.parse(readFileSync(flags.proofs, 'utf8')) as ProofsView)
      : await coordinatorClient(flags).proofs(jobId);
    const items = view.proofs.map((p) => ({
      index: p.item,
      proof: new Uint8Array(Buffer.from(p.proof, 'base64')),
      publicInputs: p.publicInputs,
    }));
    const commitment = commitPublicInputs(items.map((i) => i.publicInputs));
    const c = contracts(flags);
    const { gas, txHashes } = await fulfilItems(c, jobId, items, commitment);
    const after = await c.job(jobId);
    printResult(
      flags,
      { jobId, status: after.status, gas: gas.toString(), txs: txHashes },
      `job ${jobId} is ${after.status}: ${items.length} proofs verified on-chain in ${txHashes.length} ` +
        `transactions (${gas} gas)`,
    );
  });
}

export function jobCommand(program: Command): void {
  const job = program.command('job').description('submit proving jobs and collect proofs');
  for (const add of [submitCommand, statusCommand, listCommand, proofCommand, fulfilCommand, cancelCommand])
    add(job);
}
