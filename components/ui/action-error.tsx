/** A failed action's message beside its button, announced at once (role="alert"). */
export function ActionError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <span role="alert" className="text-xs text-red-300">
      {message}
    </span>
  );
}
