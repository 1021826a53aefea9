/**
 * The store URL's own parameters on PostgreSQL: `pool` sizes the node's connection pool (1 to 200) and
 * never reaches the server as a connection option; a bad value is refused before anything connects.
 */
import { expect, it } from 'vitest';
import { connectPostgres, DEFAULT_POOL } from '../src/store/postgres-connect.js';
import { describeWith, dropSchema, postgresUrlWithSchema, testSchemaName } from './helpers/services.js';

await describeWith(['postgres'], 'the PostgreSQL store URL', () => {
  it('sizes the pool from ?pool=, by default 10', async () => {
    const schema = testSchemaName();
    const url = postgresUrlWithSchema(schema);
    try {
      const sized = await connectPostgres(`${url}&pool=3`);
      expect(sized.options.max).toBe(3);
      expect((await sized.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await sized.end();
      const plain = await connectPostgres(url);
      expect(plain.options.max).toBe(DEFAULT_POOL);
      await plain.end();
      const given = await connectPostgres(`${url}&pool=3`, { maxConnections: 2 });
      expect(given.options.max).toBe(2);
      await given.end();
    } finally {
      await dropSchema(schema);
    }
  });

  it.each(['0', '201', '-1', '2.5', 'ten', ''])('refuses pool=%j', async (value) => {
    await expect(connectPostgres(`${postgresUrlWithSchema(testSchemaName())}&pool=${value}`)).rejects.toThrow(
      /pool must be a whole number from 1 to 200/,
    );
  });
});
