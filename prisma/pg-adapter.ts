// The pg driver adapter for Prisma's CLI (migrations through the bundled WASM schema engine), with
// two fixes for adapter-pg 6.19: Postgres `name` (OID 19) and `"char"` (OID 18) columns, which the
// adapter cannot map (prisma/orm#27403), are reported as text; and the connection is given as
// separate fields, since with a connection string the shadow database would be the main one.
import { PrismaPg } from '@prisma/adapter-pg';

const TEXT_OID = 25;
const UNMAPPED_OIDS = new Set([18, 19]);

interface Field {
  dataTypeID: number;
}
interface Queryable {
  performIO(query: unknown): Promise<{ fields: Field[] }>;
}

function patch<T>(queryable: T): T {
  const q = queryable as unknown as Queryable;
  const original = q.performIO.bind(q);
  q.performIO = async (query) => {
    const result = await original(query);
    for (const field of result.fields) if (UNMAPPED_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    return result;
  };
  return queryable;
}

class MigrationPg extends PrismaPg {
  override async connect() {
    return patch(await super.connect());
  }
  override async connectToShadowDb() {
    return patch(await super.connectToShadowDb());
  }
}

/** Adapter factory for a DATABASE_URL, split into fields. */
export function migrationAdapter(databaseUrl: string): PrismaPg {
  const url = new URL(databaseUrl);
  return new MigrationPg({
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
    idleTimeoutMillis: 100,
  });
}
