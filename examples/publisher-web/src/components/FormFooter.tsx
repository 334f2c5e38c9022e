/**
 * The end of a one-step form: its alert (always in the page, hidden while empty, so a screen
 * reader announces the text that appears in it) and its submit button, which says what it is doing
 * while the request runs.
 */
interface FormFooterProps {
  /** Why the last submit failed; undefined hides the alert. */
  alert: string | undefined;
  /** The request is running: the button is disabled and shows `busyLabel`. */
  busy: boolean;
  label: string;
  busyLabel: string;
  /** Disables the button for another reason than a running request. */
  disabled?: boolean;
}

export function FormFooter({ alert, busy, label, busyLabel, disabled = false }: FormFooterProps) {
  return (
    <>
      <div className="alert" role="alert" hidden={!alert}>
        {alert ?? ''}
      </div>
      <div className="actions">
        <button type="submit" disabled={busy || disabled}>
          {busy ? busyLabel : label}
        </button>
      </div>
    </>
  );
}
