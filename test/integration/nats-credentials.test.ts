// Prover credentials expire and are renewed (review N9): the server disconnects a JWT past its
// expiry, the agent's link renews its own before that and stays connected, and a prover that is
// registered but whose stake fell below the market's minimum (slashed out, or leaving) gets none,
// so it is cut off when its last credentials expire.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fmtCreds } from '@nats-io/jwt';
import { createUser } from '@nats-io/nkeys';
import { connect } from '@nats-io/transport-node';
import { credsAuth, issueUserJwt } from '../../services/shared/nats/auth.js';
import { linkProver, type MarketFixture, stakeProver, startMarket } from '../fixtures/market.js';

const TTL = 3;
let market: MarketFixture;
const connectAs = (i: number) => linkProver(market, i);

before(async () => {
  market = await startMarket({ coordinator: { natsCredentialsTtlSeconds: String(TTL) } });
  await stakeProver(market.chain, 1);
  // Registered with the minimum stake, then asked to withdraw all of it: no longer in good standing.
  const leaving = market.chain.as(5);
  const minimum = (await leaving.staking.getFunction('minStake')()) as bigint;
  await leaving.registerProver('leaving', '', minimum);
  await leaving.requestUnstake(minimum);
});
after(async () => {
  await market?.stop();
});

test('a registered prover whose stake is below the minimum (leaving, or slashed out) gets no credentials', async () => {
  await assert.rejects(connectAs(5), /NO_STAKE/);
});

test('the server disconnects credentials past their expiry', async () => {
  const seed = market.stack.nats.authority.accountSeed;
  const user = createUser();
  const jwt = await issueUserJwt(
    seed,
    'short-lived',
    user.getPublicKey(),
    undefined,
    Math.floor(Date.now() / 1000) + 2,
  );
  const creds = new TextDecoder().decode(fmtCreds(jwt, user));
  const nc = await connect({ servers: market.nats.url, authenticator: credsAuth(creds), reconnect: false });
  const closed = await Promise.race([
    nc.closed().then((err) => String(err ?? 'closed')),
    new Promise<string>((r) => setTimeout(() => r('still connected'), 15_000).unref()),
  ]);
  assert.match(closed, /expired|authorization/i);
});

test("the agent's link renews its credentials and keeps working past their expiry", async () => {
  const link = await connectAs(1);
  // A round trip through the server to the coordinator and back (a malformed bid, answered
  // BAD_MESSAGE), tried a few times: the server closes a connection when the credentials it was
  // opened with expire, and the link comes back at once with the renewed ones.
  const roundTrip = async () => {
    for (let i = 0; ; i++) {
      try {
        return (await link.sendBid(new TextEncoder().encode('{}'), 2000)).code;
      } catch (err) {
        if (i >= 5) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  try {
    assert.equal(await roundTrip(), 'BAD_MESSAGE');
    // Three lifetimes of its first credentials later, it still gets through: without renewal it
    // could not reconnect at all.
    await new Promise((r) => setTimeout(r, 3 * TTL * 1000));
    assert.equal(await roundTrip(), 'BAD_MESSAGE');
  } finally {
    await link.nc.close();
  }
});
