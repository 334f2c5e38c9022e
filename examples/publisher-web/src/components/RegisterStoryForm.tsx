/**
 * The "register a story" form: content id, title, metadata URI and contributors (wallet, role,
 * share in basis points). The page checks what it can before sending (required fields, wallet
 * format, shares summing to 10000); the Chain service is the authority for the rest, and its
 * field violations land next to the same fields.
 */
import type { Contributor, ContributorRole, RegisterIpAssetInput } from '@mystira/chain-client/web';
import { type FormEvent, useRef, useState } from 'react';
import { describeError, fieldViolationsOf } from '../errors.js';
import { sentence } from '../format.js';
import { Field } from './Field.js';
import { type TextFieldSpec, TextFields } from './TextField.js';

const WALLET = /^0x[0-9a-fA-F]{40}$/;
const ROLES: readonly ContributorRole[] = ['author', 'artist', 'publisher', 'curator', 'other'];
const TOTAL_SHARE_BPS = 10_000;

const FIELDS: readonly TextFieldSpec<'contentId' | 'contentTitle' | 'metadataUri'>[] = [
  {
    key: 'contentId',
    name: 'contentId',
    label: 'Content id',
    hint: 'Your story’s id in the Mystira catalogue, e.g. story-42',
    spellCheck: false,
  },
  { key: 'contentTitle', name: 'contentTitle', label: 'Title' },
  {
    key: 'metadataUri',
    name: 'metadataUri',
    label: 'Metadata URI (optional)',
    hint: 'Where the story’s IP metadata is published, e.g. ipfs://…',
    spellCheck: false,
  },
];

interface Row {
  key: number;
  wallet: string;
  role: ContributorRole;
  share: string;
}

/** Errors by field: `contentId`, `contentTitle`, `metadataUri`, `contributors`, `0.wallet`, … */
type Errors = Record<string, string>;

/** Where a server field path (`contributors[1].wallet_address`) is shown, if it has a place. */
function placeOf(path: string): string | undefined {
  const simple: Record<string, string> = {
    content_id: 'contentId',
    content_title: 'contentTitle',
    metadata_uri: 'metadataUri',
    contributors: 'contributors',
  };
  if (simple[path]) return simple[path];
  const match = /^contributors\[(\d+)\]\.(\w+)$/.exec(path);
  const column: Record<string, string> = {
    wallet_address: 'wallet',
    contributor_type: 'role',
    share_basis_points: 'share',
  };
  return match && column[match[2] ?? ''] ? `${match[1]}.${column[match[2] ?? '']}` : undefined;
}

export function RegisterStoryForm({
  onRegister,
}: {
  onRegister: (input: RegisterIpAssetInput) => Promise<void>;
}) {
  const nextKey = useRef(1);
  const [values, setValues] = useState({ contentId: '', contentTitle: '', metadataUri: '' });
  const { contentId, contentTitle: title, metadataUri } = values;
  const [rows, setRows] = useState<Row[]>([
    { key: 0, wallet: '', role: 'author', share: String(TOTAL_SHARE_BPS) },
  ]);
  const [errors, setErrors] = useState<Errors>({});
  const [alert, setAlert] = useState<{ text: string; unplaced: string[] }>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);

  const sum = rows.reduce((acc, row) => acc + (Number.parseInt(row.share, 10) || 0), 0);
  const update = (key: number, patch: Partial<Row>) =>
    setRows((all) => all.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  const focusFirstInvalid = (fallbackToAlert: boolean) => {
    // After React has rendered the errors.
    setTimeout(() => {
      const first = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      if (first) first.focus();
      else if (fallbackToAlert) alertRef.current?.focus();
    });
  };

  /** Checks the form locally; the input to send, or undefined after showing the errors. */
  const validate = (): RegisterIpAssetInput | undefined => {
    const found: Errors = {};
    if (!contentId.trim()) found.contentId = 'Enter the content id.';
    if (!title.trim()) found.contentTitle = 'Enter the title.';
    const uri = metadataUri.trim();
    if (uri && !/^(https?|ipfs|ar):\/\/\S+$/.test(uri))
      found.metadataUri = 'A metadata URI starts with https://, ipfs:// or ar://.';
    const seen = new Set<string>();
    let total = 0;
    rows.forEach((row, i) => {
      const wallet = row.wallet.trim();
      if (!wallet) found[`${i}.wallet`] = 'Enter the wallet address.';
      else if (!WALLET.test(wallet))
        found[`${i}.wallet`] = 'A wallet is 0x followed by 40 hex digits.';
      else if (seen.has(wallet.toLowerCase()))
        found[`${i}.wallet`] = 'This wallet is already listed.';
      seen.add(wallet.toLowerCase());
      const share = row.share.trim();
      const bps = /^\d+$/.test(share) ? Number(share) : Number.NaN;
      if (!(bps >= 1 && bps <= TOTAL_SHARE_BPS))
        found[`${i}.share`] = `Enter a whole number from 1 to ${TOTAL_SHARE_BPS}.`;
      else total += bps;
    });
    if (Object.keys(found).length === 0 && total !== TOTAL_SHARE_BPS)
      found.contributors = `The shares must add up to ${TOTAL_SHARE_BPS} basis points; they add up to ${total}.`;
    setErrors(found);
    if (Object.keys(found).length > 0) return undefined;
    const contributors: Contributor[] = rows.map((row) => ({
      walletAddress: row.wallet.trim(),
      role: row.role,
      shareBasisPoints: Number(row.share.trim()),
    }));
    return {
      contentId: contentId.trim(),
      contentTitle: title.trim(),
      contributors,
      ...(uri ? { metadataUri: uri } : {}),
    };
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAlert(undefined);
    const input = validate();
    if (!input) {
      focusFirstInvalid(false);
      return;
    }
    setBusy(true);
    onRegister(input)
      .catch((err: unknown) => {
        const placed: Errors = {};
        const unplaced: string[] = [];
        for (const v of fieldViolationsOf(err)) {
          const place = placeOf(v.field);
          if (place) placed[place] = sentence(v.description);
          else unplaced.push(`${v.field}: ${v.description}`);
        }
        setErrors(placed);
        setAlert({ text: describeError(err), unplaced });
        focusFirstInvalid(true);
      })
      .finally(() => setBusy(false));
  };

  return (
    <form ref={form} noValidate aria-label="Register a story" onSubmit={submit}>
      <TextFields fields={FIELDS} values={values} errors={errors} onChange={setValues} />
      <fieldset className="contributors-set" aria-describedby="contributors-error">
        <legend>Contributors</legend>
        <div className="contributors">
          {rows.map((row, i) => (
            <fieldset className="contributor" key={row.key}>
              <legend>Contributor {i + 1}</legend>
              <Field label="Wallet" error={errors[`${i}.wallet`]}>
                <input
                  name="wallet"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="0x…"
                  value={row.wallet}
                  onChange={(e) => update(row.key, { wallet: e.target.value })}
                />
              </Field>
              <Field label="Role" error={errors[`${i}.role`]}>
                <select
                  name="role"
                  value={row.role}
                  onChange={(e) => update(row.key, { role: e.target.value as ContributorRole })}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r[0]?.toUpperCase() + r.slice(1)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Share (basis points)" hint="100 = 1 %" error={errors[`${i}.share`]}>
                <input
                  name="share"
                  inputMode="numeric"
                  value={row.share}
                  onChange={(e) => update(row.key, { share: e.target.value })}
                />
              </Field>
              <button
                type="button"
                className="link"
                disabled={rows.length === 1}
                aria-label={`Remove contributor ${i + 1}`}
                onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))}
              >
                Remove
              </button>
            </fieldset>
          ))}
        </div>
        <p
          className={sum === TOTAL_SHARE_BPS ? 'total' : 'total total-off'}
          aria-live="polite"
          data-testid="share-total"
        >
          Shares: {sum} of {TOTAL_SHARE_BPS} basis points ({(sum / 100).toFixed(2)} %)
        </p>
        <p className="field-error" id="contributors-error" hidden={!errors.contributors}>
          {errors.contributors ?? ''}
        </p>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            const key = nextKey.current++;
            setRows((all) => [...all, { key, wallet: '', role: 'author', share: '' }]);
            setTimeout(() =>
              form.current
                ?.querySelector<HTMLInputElement>('.contributor:last-of-type input[name="wallet"]')
                ?.focus(),
            );
          }}
        >
          Add contributor
        </button>
      </fieldset>
      <div className="alert" role="alert" tabIndex={-1} ref={alertRef} hidden={!alert}>
        {alert ? <p>{alert.text}</p> : null}
        {alert && alert.unplaced.length > 0 ? (
          <ul>
            {alert.unplaced.map((u) => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Registering…' : 'Register story'}
        </button>
      </div>
    </form>
  );
}
