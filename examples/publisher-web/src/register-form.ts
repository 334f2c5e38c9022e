/**
 * The "register a story" form: content id, title and contributors (wallet, role, share in basis
 * points). The page checks what it can before sending (required fields, wallet format, shares
 * summing to 10000); the Chain service is the authority for the rest, and its field violations
 * land next to the same fields.
 */
import type { Contributor, ContributorRole, RegisterIpAssetInput } from '@mystira/chain-client/web';
import { el, replaceChildren, uniqueId } from './dom.js';
import { describeError, fieldViolationsOf } from './errors.js';

const WALLET = /^0x[0-9a-fA-F]{40}$/;
const ROLES: readonly ContributorRole[] = ['author', 'artist', 'publisher', 'curator', 'other'];
const TOTAL_SHARE_BPS = 10_000;

/** An input with its visible label and its own error line, tied together for screen readers. */
interface Field<T extends HTMLInputElement | HTMLSelectElement> {
  wrapper: HTMLElement;
  control: T;
  setError(message: string | undefined): void;
}

function field<T extends HTMLInputElement | HTMLSelectElement>(
  label: string,
  control: T,
  hint?: string,
): Field<T> {
  const id = uniqueId('field');
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : undefined;
  control.id = id;
  const error = el('p', { class: 'field-error', id: errorId, hidden: true });
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  const wrapper = el(
    'div',
    { class: 'field' },
    el('label', { for: id }, label),
    control,
    hint ? el('p', { class: 'hint', id: hintId }, hint) : null,
    error,
  );
  return {
    wrapper,
    control,
    setError(message) {
      error.hidden = message === undefined;
      error.textContent = message ?? '';
      if (message === undefined) control.removeAttribute('aria-invalid');
      else control.setAttribute('aria-invalid', 'true');
    },
  };
}

interface ContributorRow {
  element: HTMLFieldSetElement;
  wallet: Field<HTMLInputElement>;
  role: Field<HTMLSelectElement>;
  share: Field<HTMLInputElement>;
  remove: HTMLButtonElement;
  legend: HTMLLegendElement;
}

export interface RegisterForm {
  readonly element: HTMLElement;
}

export function createRegisterForm(
  onRegister: (input: RegisterIpAssetInput) => Promise<void>,
): RegisterForm {
  const contentId = field(
    'Content id',
    el('input', { name: 'contentId', autocomplete: 'off', spellcheck: 'false' }),
    'Your story’s id in the Mystira catalogue, e.g. story-42',
  );
  const title = field('Title', el('input', { name: 'contentTitle', autocomplete: 'off' }));
  const rows: ContributorRow[] = [];
  const rowList = el('div', { class: 'contributors' });
  const total = el('p', { class: 'total', 'aria-live': 'polite', 'data-testid': 'share-total' });
  const contributorsError = el('p', {
    class: 'field-error',
    id: uniqueId('contributors-error'),
    hidden: true,
  });
  const addButton = el('button', { type: 'button', class: 'secondary' }, 'Add contributor');
  const submit = el('button', { type: 'submit' }, 'Register story');
  const formAlert = el('div', { class: 'alert', role: 'alert', tabindex: '-1', hidden: true });
  const contributorsSet = el(
    'fieldset',
    { class: 'contributors-set', 'aria-describedby': contributorsError.id },
    el('legend', {}, 'Contributors'),
    rowList,
    total,
    contributorsError,
    addButton,
  );
  const form = el(
    'form',
    { novalidate: true, 'aria-label': 'Register a story' },
    contentId.wrapper,
    title.wrapper,
    contributorsSet,
    formAlert,
    el('div', { class: 'actions' }, submit),
  );

  const setContributorsError = (message: string | undefined) => {
    contributorsError.hidden = message === undefined;
    contributorsError.textContent = message ?? '';
  };

  const updateRows = () => {
    rows.forEach((row, i) => {
      row.legend.textContent = `Contributor ${i + 1}`;
      row.remove.disabled = rows.length === 1;
      row.remove.setAttribute('aria-label', `Remove contributor ${i + 1}`);
    });
    const sum = rows.reduce(
      (acc, row) => acc + (Number.parseInt(row.share.control.value, 10) || 0),
      0,
    );
    total.textContent = `Shares: ${sum} of ${TOTAL_SHARE_BPS} basis points (${(sum / 100).toFixed(2)} %)`;
    total.classList.toggle('total-off', sum !== TOTAL_SHARE_BPS);
  };

  const addRow = (share = '') => {
    const role = el('select', { name: 'role' });
    for (const r of ROLES)
      role.append(el('option', { value: r }, r[0]?.toUpperCase() + r.slice(1)));
    const legend = el('legend', {});
    const row: ContributorRow = {
      legend,
      wallet: field(
        'Wallet',
        el('input', {
          name: 'wallet',
          autocomplete: 'off',
          spellcheck: 'false',
          placeholder: '0x…',
        }),
      ),
      role: field('Role', role),
      share: field(
        'Share (basis points)',
        el('input', { name: 'share', inputmode: 'numeric', value: share }),
        '100 = 1 %',
      ),
      remove: el('button', { type: 'button', class: 'link' }, 'Remove'),
      element: el('fieldset', { class: 'contributor' }),
    };
    row.element.append(legend, row.wallet.wrapper, row.role.wrapper, row.share.wrapper, row.remove);
    row.share.control.addEventListener('input', updateRows);
    row.remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(row), 1);
      row.element.remove();
      updateRows();
    });
    rows.push(row);
    rowList.append(row.element);
    updateRows();
    return row;
  };

  addRow(String(TOTAL_SHARE_BPS));
  addButton.addEventListener('click', () => addRow().wallet.control.focus());

  const clearErrors = () => {
    for (const f of [contentId, title, ...rows.flatMap((r) => [r.wallet, r.role, r.share])])
      f.setError(undefined);
    setContributorsError(undefined);
    formAlert.hidden = true;
  };

  /** Checks the form locally; returns the input to send, or undefined after showing the errors. */
  const validate = (): RegisterIpAssetInput | undefined => {
    let valid = true;
    const fail = (f: Field<HTMLInputElement | HTMLSelectElement>, message: string) => {
      f.setError(message);
      valid = false;
    };
    if (!contentId.control.value.trim()) fail(contentId, 'Enter the content id.');
    if (!title.control.value.trim()) fail(title, 'Enter the title.');
    const seen = new Set<string>();
    let sum = 0;
    for (const row of rows) {
      const wallet = row.wallet.control.value.trim();
      if (!wallet) fail(row.wallet, 'Enter the wallet address.');
      else if (!WALLET.test(wallet)) fail(row.wallet, 'A wallet is 0x followed by 40 hex digits.');
      else if (seen.has(wallet.toLowerCase())) fail(row.wallet, 'This wallet is already listed.');
      seen.add(wallet.toLowerCase());
      const share = row.share.control.value.trim();
      const bps = /^\d+$/.test(share) ? Number(share) : Number.NaN;
      if (!(bps >= 1 && bps <= TOTAL_SHARE_BPS))
        fail(row.share, `Enter a whole number from 1 to ${TOTAL_SHARE_BPS}.`);
      else sum += bps;
    }
    if (valid && sum !== TOTAL_SHARE_BPS) {
      setContributorsError(
        `The shares must add up to ${TOTAL_SHARE_BPS} basis points; they add up to ${sum}.`,
      );
      valid = false;
    }
    if (!valid) return undefined;
    const contributors: Contributor[] = rows.map((row) => ({
      walletAddress: row.wallet.control.value.trim(),
      role: row.role.control.value as ContributorRole,
      shareBasisPoints: Number(row.share.control.value.trim()),
    }));
    return {
      contentId: contentId.control.value.trim(),
      contentTitle: title.control.value.trim(),
      contributors,
    };
  };

  /** Where a server field path (`contributors[1].wallet_address`) is shown, if it has a place. */
  const placeFor = (path: string): ((message: string) => void) | undefined => {
    if (path === 'content_id') return contentId.setError;
    if (path === 'content_title') return title.setError;
    if (path === 'contributors') return setContributorsError;
    const match = /^contributors\[(\d+)\]\.(\w+)$/.exec(path);
    const row = match ? rows[Number(match[1])] : undefined;
    switch (row && match?.[2]) {
      case 'wallet_address':
        return row?.wallet.setError;
      case 'contributor_type':
        return row?.role.setError;
      case 'share_basis_points':
        return row?.share.setError;
      default:
        return undefined;
    }
  };

  /** Puts the server's field violations next to their fields; the rest goes in the form alert. */
  const showServerError = (err: unknown) => {
    const unplaced: string[] = [];
    for (const v of fieldViolationsOf(err)) {
      const place = placeFor(v.field);
      if (place) place(`${v.description[0]?.toUpperCase() ?? ''}${v.description.slice(1)}.`);
      else unplaced.push(`${v.field}: ${v.description}`);
    }
    formAlert.hidden = false;
    replaceChildren(
      formAlert,
      el('p', {}, describeError(err)),
      unplaced.length > 0 ? el('ul', {}, ...unplaced.map((u) => el('li', {}, u))) : null,
    );
  };

  const focusFirstInvalid = () => {
    const first = form.querySelector<HTMLElement>('[aria-invalid="true"]');
    (first ?? (contributorsError.hidden ? formAlert : addButton)).focus?.();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors();
    const input = validate();
    if (!input) {
      focusFirstInvalid();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Registering…';
    onRegister(input)
      .catch((err: unknown) => {
        showServerError(err);
        focusFirstInvalid();
      })
      .finally(() => {
        submit.disabled = false;
        submit.textContent = 'Register story';
      });
  });

  return { element: form };
}
