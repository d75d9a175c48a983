// The work stream has limits, and hitting them loses nothing: with the stream full, an award
// cannot be published, so the round's close is retried (the coordinator stays up and answers);
// once the backlog drains, the same job is awarded and settles.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { credsAuth } from '../../services/shared/nats/auth.js';
import { awardSubject, WORK_STREAM } from '../../services/shared/protocol/subjects.js';
import { type MarketFixture, stakeProver, startMarket, submitTinyJob, waitFor } from '../fixtures/market.js';

const BACKLOG = awardSubject(`0x${'00'.repeat(19)}01`); // a prover nobody runs: nothing drains it
let market: MarketFixture;
let insider: NatsConnection;

before(async () => {
  market = await startMarket({ coordinator: { workStreamMaxBytes: '65536' } });
  await stakeProver(market.chain, 1);
  await market.startProver(1);
  const creds = readFileSync(market.stack.nats.coordinatorCredsFile, 'utf8');
  insider = await connect({ servers: market.nats.url, authenticator: credsAuth(creds) });
});
after(async () => {
  await insider?.drain();
  await market?.stop();
});

test('a full work stream delays an award without losing it; the job settles once it drains', async () => {
  const info = await (await jetstreamManager(insider)).streams.info(WORK_STREAM);
  assert.equal(info.config.max_bytes, 65536);
  assert.equal(info.config.retention, 'workqueue');
  // Fill the stream with a backlog nobody consumes, until it refuses more.
  const js = jetstream(insider);
  let refused: unknown;
  for (const size of [4096, 1024, 256, 64, 1]) {
    // Down to the last byte: not even a small award fits afterwards.
    for (let i = 0; i < 200; i++) {
      const ok = await js.publish(BACKLOG, new Uint8Array(size)).then(
        () => true,
        (e: unknown) => {
          refused = e;
          return false;
        },
      );
      if (!ok) break;
    }
  }
  assert.match(String(refused), /maximum bytes|exceeded|limit/i, 'the full stream refuses new messages');

  const id = await submitTinyJob(market, 4);
  const { prisma } = market.coordinator.ctx;
  // Past the window the close runs, cannot publish the award, and fails (to be retried): the
  // round is not closed, the job still auctioning.
  const closeFailures = async () =>
    (await market.coordinator.ctx.metrics.stageFailures.get()).values.find((v) => v.labels.loop === 'close')
      ?.value ?? 0;
  await waitFor('a close that fails to publish the award', async () =>
    (await closeFailures()) >= 2 ? true : undefined,
  );
  assert.equal((await prisma.job.findUniqueOrThrow({ where: { id } })).status, 'AUCTIONING');
  assert.equal(await prisma.assignment.count({ where: { jobId: id } }), 0, 'nothing awarded');
  assert.equal((await fetch(`${market.url}/health`)).status, 200);

  await (await jetstreamManager(insider)).streams.purge(WORK_STREAM, { filter: BACKLOG });
  await waitFor('the job to settle once the stream drains', async () =>
    (await prisma.job.findUniqueOrThrow({ where: { id } })).status === 'SETTLED' ? true : undefined,
  );
});
