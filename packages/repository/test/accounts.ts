import { entity, field, type Infer } from '@mystira/specification';

/** A small entity for the repository and polyglot tests (string ids, a version field). */
export const Account = entity(
  'accounts',
  {
    id: field.string(),
    version: field.number(),
    name: field.string(),
    balance: field.number(),
    tags: field.array(field.string()),
  },
  { id: 'id', version: 'version' },
);
export type AccountT = Infer<typeof Account>;

export const account = (id: string, patch: Partial<AccountT> = {}): AccountT => ({
  id,
  version: 1,
  name: `n-${id}`,
  balance: 0,
  tags: [],
  ...patch,
});
