/**
 * A form's errors by field, shown with the focus on the first field that has one after a failed
 * submit, so keyboard and screen reader users land on it. The focus moves after the next frame:
 * the fields mark themselves aria-invalid when the errors have rendered.
 */
import { type RefObject, useRef, useState } from 'react';

export function useFieldErrors<E extends object>(): {
  /** The errors shown now, by field. */
  errors: E;
  /** The form the focus looks in; pass it as the form's ref. */
  formRef: RefObject<HTMLFormElement | null>;
  /** Shows `found` (replacing what was shown) and focuses its first field; true if any. */
  showErrors: (found: E) => boolean;
} {
  const [errors, setErrors] = useState<E>({} as E);
  const formRef = useRef<HTMLFormElement>(null);
  const showErrors = (found: E) => {
    setErrors(found);
    requestAnimationFrame(() =>
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
    );
    return Object.keys(found).length > 0;
  };
  return { errors, formRef, showErrors };
}
