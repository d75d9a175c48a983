// Filing with watchtowers: a prover posts a JSON document (a bid receipt, an inputs fault) to each
// of its watchtowers in the background. Filing is best effort: a refusal or an unreachable
// watchtower is logged and never delays bidding or proving.
import type { Logger } from 'pino';

/** POSTs `body` to `${url}${path}` for every url; `what` names the document in the logs. */
export function fileWithWatchtowers(
  urls: Iterable<string>,
  path: string,
  body: string,
  what: { name: string; jobId: string },
  log: Logger,
): void {
  for (const url of urls)
    void fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (res) => {
        if (!res.ok)
          log.warn(
            { jobId: what.jobId, url, status: res.status, body: await res.text() },
            `a watchtower refused a ${what.name}`,
          );
      })
      .catch((err) => log.warn({ jobId: what.jobId, url, err: err }, `cannot file a ${what.name}`));
}
