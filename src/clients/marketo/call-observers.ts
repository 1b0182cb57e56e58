/**
 * What the Marketo client tells an observer (the service's metrics, its readiness check) about
 * each request it sends: the client stays free of any metrics library, and an observer that
 * throws cannot break a call.
 */
export interface MarketoCallEvent {
  /**
   * The client method (`getLeadChanges`, `syncLeads`...) or `identity` for a token request:
   * a fixed set of names, never a URL with ids in it.
   */
  endpoint: string;
  /**
   * `ok`; else Marketo's error code (`606`, `601`), `http_<status>` for an HTTP failure with no
   * Marketo code, or the network code (`ECONNRESET`). An identity failure is its error code
   * (`MARKETO_AUTH_FAILED`, `MARKETO_UNREACHABLE`...).
   */
  result: string;
  /** How long the request took, in milliseconds of the client's clock. */
  ms: number;
}

export type MarketoCallObserver = (event: MarketoCallEvent) => void;

/** The observers of one client; each service adds its own and removes it when it stops. */
export class MarketoCallObservers {
  private readonly observers = new Set<MarketoCallObserver>();

  /** Adds `observer`; the function returned removes it. */
  add(observer: MarketoCallObserver): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  emit(event: MarketoCallEvent): void {
    for (const observer of this.observers) {
      try {
        observer(event);
      } catch {
        // Metrics are never a reason for a Marketo call to fail.
      }
    }
  }
}
