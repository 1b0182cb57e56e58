import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import { createTempDir, makeLead } from '../helpers/store-fixtures.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

describe.each(storeImplementations)('store ping (GET /ready): $kind', (impl) => {
  let data: StoreTestData | undefined;
  afterEach(async () => {
    await data?.remove();
    data = undefined;
  });

  it('when the store is open, then ping resolves; once closed, then ping rejects with STORE_CLOSED', async () => {
    data = await impl.createData();
    const store = await data.open();
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});

describe('store ping (GET /ready): JSON file after a failed write', () => {
  let temp: Awaited<ReturnType<typeof createTempDir>> | undefined;
  afterEach(async () => {
    await temp?.remove();
    temp = undefined;
  });

  it('when a write fails (the disk took nothing), then ping rejects with STORE_WRITE_FAILED until a write succeeds again', async () => {
    temp = await createTempDir();
    const dir = path.join(temp.dir, 'data');
    const store = await createJsonFileStore({ file: path.join(dir, 'store.json') });
    await store.ping();
    await rm(dir, { recursive: true }); // the temp file can no longer be created
    await expect(store.applyLeadChanges({ upserts: [makeLead(1)] })).rejects.toMatchObject({
      code: 'STORE_WRITE_FAILED',
    });
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    await mkdir(dir);
    await store.applyLeadChanges({ upserts: [makeLead(2)] });
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });
});
