// Rows of clients.
import type { DbOrTx } from '../db.js';
import type { ClientRow, ClientUpdate, NewClientRow } from '../schema.js';

export const findClient = (db: DbOrTx, clientId: string): Promise<ClientRow | undefined> =>
  db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();

export const listClients = (db: DbOrTx): Promise<ClientRow[]> =>
  db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('client_id').execute();

export async function insertClient(db: DbOrTx, row: NewClientRow): Promise<void> {
  await db.insertInto('clients').values(row).execute();
}

export async function updateClient(db: DbOrTx, clientId: string, changes: ClientUpdate): Promise<boolean> {
  const result = await db.updateTable('clients').set(changes).where('client_id', '=', clientId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteClient(db: DbOrTx, clientId: string): Promise<boolean> {
  const result = await db.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
