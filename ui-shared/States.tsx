/**
 * Loading and error placeholders as both dashboards render them. The apps pass their
 * translated text (gateway/ui/src/components/States.tsx, cloud-sink/ui/src/components.tsx).
 */

export function LoadingNote(props: { text: string }) {
  return (
    <p class="muted" role="status" data-loading="">
      {props.text}
    </p>
  );
}

/** A failure already put into words, with a retry button when there is something to retry. */
export function ErrorNote(props: { text: string; retryLabel: string; onRetry?: (() => void) | undefined }) {
  return (
    <div class="error-box" role="alert" data-error="">
      <p>{props.text}</p>
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          {props.retryLabel}
        </button>
      )}
    </div>
  );
}
