// An embedded PostgreSQL (PGlite: Postgres compiled to WASM) behind a local socket, so the local
// stack runs for a user who has no database server. In memory: it lives as long as the process.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { freePort } from './anvil.js';

export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  static async start(): Promise<EmbeddedPostgres> {
    const db = await PGlite.create();
    const port = await freePort();
    // One Postgres backend serves every connection, and statements of concurrent connections can
    // interleave (one's Bind meets another's Parse): clients should use a single connection.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 8 });
    await server.start();
    return new EmbeddedPostgres(db, server, `postgresql://postgres@127.0.0.1:${port}/postgres`);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
