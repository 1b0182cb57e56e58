import { afterEach, describe, expect, it } from 'vitest';
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
