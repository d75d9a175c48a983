import type { Command } from 'commander';
import { formatEther, Wallet } from 'ethers';
import { GavelError } from '../../shared/errors.js';
import {
  type ChainFlags,
  contracts,
  parseAddress,
  parseEth,
  wallet,
  withChainOptions,
} from '../chain-options.js';
import { type CoordinatorFlags, coordinatorClient, withCoordinatorOption } from '../coordinator-options.js';
import { printResult } from '../output.js';

interface RegisterFlags extends ChainFlags {
  name: string;
  endpoint: string;
  stake?: string;
}

export function proverCommand(program: Command): void {
  const prover = program.command('prover').description('prover registration');
  withChainOptions(
    prover
      .command('register')
      .description('register the --key account as a prover on-chain')
      .requiredOption('--name <name>', 'public name of the prover')
      .option('--endpoint <url>', 'where the prover can be reached (informational)', '')
      .option('--stake <eth>', "stake put up with the registration (default: the market's minimum)"),
  ).action(async (flags: RegisterFlags) => {
    const c = contracts(flags);
    const minimum = (await c.staking.getFunction('minStake')()) as bigint;
    const stake = flags.stake === undefined ? minimum : parseEth(flags.stake, '--stake');
    const receipt = await c.registerProver(flags.name, flags.endpoint, stake);
    const address = await wallet(flags).getAddress();
    printResult(
      flags,
      {
        prover: address,
        name: flags.name,
        endpoint: flags.endpoint,
        stakeWei: stake.toString(),
        tx: receipt.hash,
      },
      `registered ${address} as prover "${flags.name}" with a stake of ${formatEther(stake)} ETH (tx ${receipt.hash})`,
    );
  });
}

interface StartFlags {
  key?: string;
  name?: string;
  backend?: string;
  threads?: string;
  minPrice?: string;
  pricePerGate?: string;
  maxDyadic?: string;
  gatesPerSec?: string;
  proofSystems?: string;
  nats?: string;
  coordinator?: string;
  rpc?: string;
  deployment?: string;
  metricsPort?: string;
  logLevel?: string;
}

/** Flags given on the command line override the environment (see the configuration reference). */
function proverOverrides(flags: StartFlags): Record<string, string> {
  const o: Record<string, string> = {};
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set('key', flags.key);
  set('name', flags.name);
  set('backend', flags.backend);
  set('threads', flags.threads);
  set(
    'minPriceWei',
    flags.minPrice === undefined ? undefined : parseEth(flags.minPrice, '--min-price').toString(),
  );
  set('pricePerGateWei', flags.pricePerGate);
  set('maxDyadic', flags.maxDyadic);
  set('gatesPerSec', flags.gatesPerSec);
  set('proofSystems', flags.proofSystems);
  set('natsUrl', flags.nats);
  set('coordinatorUrl', flags.coordinator);
  set('rpcUrl', flags.rpc);
  set('deploymentFile', flags.deployment);
  set('metricsPort', flags.metricsPort);
  set('logLevel', flags.logLevel);
  return o;
}

export function proverRunCommands(program: Command): void {
  const prover = program.commands.find((c) => c.name() === 'prover') as Command;
  prover
    .command('start')
    .description(
      'run a prover agent: bid on announced jobs, prove awards, get paid (stops on SIGINT/SIGTERM)',
    )
    .option('--key <hex>', 'prover private key (GAVEL_PRIVATE_KEY)')
    .option('--name <name>', 'name announced to the coordinator (GAVEL_PROVER_NAME)')
    .option('--backend <kind>', 'wasm or native (GAVEL_BACKEND)')
    .option('--threads <n>', 'proving threads (GAVEL_THREADS)')
    .option('--min-price <eth>', 'never bid below this (GAVEL_MIN_PRICE_WEI, in wei)')
    .option('--price-per-gate <wei>', 'price per gate per batch item (GAVEL_PRICE_PER_GATE_WEI)')
    .option('--max-dyadic <n>', 'largest circuit to bid on (GAVEL_MAX_DYADIC)')
    .option('--gates-per-sec <n>', 'declared speed; default: measured at start (GAVEL_GATES_PER_SEC)')
    .option('--proof-systems <list>', 'ultrahonk, plonk or ultrahonk,plonk (GAVEL_PROOF_SYSTEMS)')
    .option('--nats <url>', 'NATS server (NATS_URL)')
    .option(
      '--coordinator <url>',
      'coordinator HTTP API, which issues NATS credentials (GAVEL_COORDINATOR_URL)',
    )
    .option('--rpc <url>', 'EVM JSON-RPC endpoint (GAVEL_RPC_URL)')
    .option('--deployment <file>', 'contract addresses (GAVEL_DEPLOYMENT)')
    .option('--metrics-port <n>', 'port of /metrics on 127.0.0.1, 0 = any (GAVEL_METRICS_PORT)')
    .option('--log-level <level>', 'pino log level (GAVEL_LOG_LEVEL)')
    .action(async (flags: StartFlags) => {
      const { runProver } = await import('../../prover/server.js');
      await runProver(proverOverrides(flags));
    });

  withCoordinatorOption(
    prover
      .command('status [address]')
      .description("a prover's live state, speed, record and stake, as the coordinator and chain see it")
      .option('--key <hex>', 'default address: the account of this key (GAVEL_PRIVATE_KEY)')
      .option('--json', 'print one JSON document on stdout'),
  ).action(async (address: string | undefined, flags: CoordinatorFlags & { key?: string }) => {
    const key = flags.key ?? process.env.GAVEL_PRIVATE_KEY;
    const who = address ? parseAddress(address, 'address') : key ? new Wallet(key).address : undefined;
    if (!who) throw new GavelError('NO_ADDRESS', 'give an address, or --key / GAVEL_PRIVATE_KEY');
    const { provers } = await coordinatorClient(flags).provers();
    const p = provers.find((x) => String(x.address).toLowerCase() === who.toLowerCase());
    if (!p) throw new GavelError('UNKNOWN_PROVER', `the coordinator has never heard from ${who}`);
    printResult(flags, p, [
      `${who} — "${String(p.name)}" ${p.live ? 'live' : 'offline'}`,
      `  backend   ${String(p.backend)} × ${String(p.threads)} threads, up to dyadic ${String(p.maxDyadic)}`,
      `  proves    ${(p.proofSystems as string[] | undefined)?.join(', ') ?? 'ultrahonk'}`,
      `  speed     ${Math.round(Number(p.gatesPerSec))} gates/s${Number(p.plonkGatesPerSec) > 0 ? `, PLONK ${Math.round(Number(p.plonkGatesPerSec))} gates/s` : ''}`,
      `  record    ${String(p.jobsWon)} jobs won, ${String(p.failures)} failures`,
      `  stake     ${p.stakeWei ? formatEther(BigInt(String(p.stakeWei))) : '?'} ETH (${p.freeStakeWei ? formatEther(BigInt(String(p.freeStakeWei))) : '?'} free)`,
    ]);
  });

  prover
    .command('calibrate')
    .description("measure this machine's proving speed on batch_transfer (what the agent declares)")
    .option('--backend <kind>', 'wasm or native', 'wasm')
    .option('--threads <n>', 'proving threads', '1')
    .option('--runs <n>', 'proofs to time (the best counts)', '2')
    .option('--json', 'print one JSON document on stdout')
    .action(async (flags: { backend: string; threads: string; runs: string; json?: boolean }) => {
      if (flags.backend !== 'wasm' && flags.backend !== 'native')
        throw new GavelError('BAD_BACKEND', '--backend is wasm or native');
      const { BbBackend } = await import('../../shared/proving/bb-backend.js');
      const { calibrate } = await import('../../prover/calibrate.js');
      const backend = await BbBackend.create({ kind: flags.backend, threads: Number(flags.threads) });
      try {
        const c = await calibrate(backend, Number(flags.runs));
        printResult(flags, { backend: flags.backend, threads: Number(flags.threads), ...c }, [
          `${flags.backend} × ${flags.threads} threads: ${c.circuit} (${c.gates} gates, dyadic ${c.dyadic}) in ${c.proveMs} ms`,
          `  → ${c.gatesPerSec} gates/s (use GAVEL_GATES_PER_SEC=${c.gatesPerSec} to skip calibration at start)`,
        ]);
      } finally {
        await backend.destroy();
      }
    });
}
