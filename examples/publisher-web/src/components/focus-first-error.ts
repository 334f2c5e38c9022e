/**
 * A form's focus on its first field with an error after a failed submit, so keyboard and screen
 * reader users land on it. After the next frame: the fields mark themselves aria-invalid when the
 * errors have rendered.
 */
import { type RefObject, useRef } from 'react';

export function useFocusFirstError(): {
  formRef: RefObject<HTMLFormElement | null>;
  focusFirstError: () => void;
} {
  const formRef = useRef<HTMLFormElement>(null);
  const focusFirstError = () => {
    requestAnimationFrame(() =>
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
    );
  };
  return { formRef, focusFirstError };
}
