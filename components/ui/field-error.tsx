import { AlertIcon } from "./icons";

/** A field's error in plain words, tied to the field by id (aria-describedby / aria-errormessage). */
export function FieldError({ id, message }: { id: string; message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="mt-1.5 flex items-start gap-1.5 text-[13px] leading-snug text-red-300">
      <AlertIcon className="mt-px size-3.5 shrink-0" />
      <span>{message}</span>
    </p>
  );
}
