// A small typed client for talent-api: queries and mutations over HTTP with fetch (GraphQL over
// HTTP, JSON), subscriptions over WebSocket with graphql-ws (graphql-transport-ws). The types come
// from the documents GraphQL Code Generator writes into ./gql from the server's schema.graphql.
import { createClient, type Client as WsClient, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import {
  VacancyPublishedDocument,
  type TypedDocumentString,
  type VacancyFilter,
  type VacancyPublishedSubscription,
} from './gql/graphql.js';

/** A vacancy as `vacancyPublished` delivers it. */
export type PublishedVacancy = VacancyPublishedSubscription['vacancyPublished'];

/** One entry of a GraphQL response's `errors`, as talent-api sends them. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  /** `code` is stable (e.g. `FORBIDDEN`, `NOT_FOUND`, `RATE_LIMITED`); other keys add figures. */
  extensions?: { code?: string; [key: string]: unknown };
}

/** A request the server refused or could not answer: the GraphQL errors, and the HTTP status. */
export class TalentApiError extends Error {
  override readonly name = 'TalentApiError';

  constructor(
    readonly errors: ReadonlyArray<GraphQLErrorEntry>,
    /** HTTP status; 0 for errors that came over the WebSocket. */
    readonly status: number,
  ) {
    super(errors.map((e) => (e.extensions?.code ? `${e.extensions.code}: ${e.message}` : e.message)).join('; '));
  }

  /** The first error's stable code, e.g. `UNAUTHENTICATED`. */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

export interface TalentClientOptions {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:8000/graphql`. */
  url: string;
  /** An API token (`tal_...`); anonymous without one. */
  token?: string;
  /** The WebSocket endpoint; by default `/graphql/ws` beside `url`. */
  wsUrl?: string;
  /**
   * Send each operation's hash alone (`extensions.persistedQuery`), never its text: for a server
   * that runs only the documents of this client's manifest (`--trusted-documents
   * src/gql/persisted-documents.json`).
   */
  persisted?: boolean;
}

/** What goes over the wire for `document`: its text, or with `persisted` its hash alone. */
function operation(document: { toString(): string; __meta__?: Record<string, unknown> | undefined }, persisted: boolean) {
  const hash = document.__meta__?.['hash'];
  if (!persisted) {
    return { query: document.toString() };
  }
  if (typeof hash !== 'string') {
    throw new Error('the document carries no hash: run `npm run codegen` with persistedDocuments');
  }
  return {
    query: '',
    extensions: { persistedQuery: { version: 1, sha256Hash: hash.replace(/^sha256:/, '') } },
  };
}

/** Variables are optional exactly when the operation declares none. */
type VariablesArg<V> = V extends { [key: string]: never } ? [variables?: V] : [variables: V];

export class TalentClient {
  readonly #url: string;
  readonly #wsUrl: string;
  readonly #headers: Record<string, string>;
  #ws: WsClient | undefined;
  #ready: Promise<void> | undefined;
  readonly #token: string | undefined;
  readonly #persisted: boolean;
  /** The newest consistency token a mutation answer carried (`x-talent-consistency`). */
  #consistency: string | undefined;

  constructor(options: TalentClientOptions) {
    this.#url = options.url;
    this.#persisted = options.persisted ?? false;
    this.#token = options.token;
    const ws = new URL(options.url);
    ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
    ws.pathname = ws.pathname.replace(/\/?$/, '/ws');
    this.#wsUrl = options.wsUrl ?? ws.toString();
    this.#headers = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    };
  }

  /**
   * Runs a query or mutation. Resolves to the typed `data`; rejects with a `TalentApiError` when
   * the response carries any error (a refused request, or an error at some field).
   */
  async request<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesArg<TVariables>
  ): Promise<TResult> {
    // Read-your-writes: every request after a mutation carries the mutation's consistency token,
    // so a server reading from replicas answers from one that has the write (or the primary).
    const headers = this.#consistency
      ? { ...this.#headers, 'x-talent-consistency': this.#consistency }
      : this.#headers;
    const response = await fetch(this.#url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...operation(document, this.#persisted), variables: variables ?? {} }),
    });
    this.#remember(response.headers.get('x-talent-consistency'));
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('json')) {
      const text = await response.text();
      throw new TalentApiError([{ message: text || response.statusText, extensions: { code: `HTTP_${response.status}` } }], response.status);
    }
    const body = (await response.json()) as FormattedExecutionResult<TResult>;
    if (body.errors?.length) {
      throw new TalentApiError(body.errors as GraphQLErrorEntry[], response.status);
    }
    if (body.data == null) {
      throw new TalentApiError([{ message: 'the response has no data', extensions: { code: `HTTP_${response.status}` } }], response.status);
    }
    return body.data;
  }

  /** The consistency token requests carry now, if a mutation gave one. */
  get consistency(): string | undefined {
    return this.#consistency;
  }

  /** Keeps `token` when it is further along the primary's log than the one held. */
  #remember(token: string | null): void {
    if (!token) {
      return;
    }
    const position = (lsn: string): bigint => {
      const [high, low] = lsn.split('/');
      return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
    };
    try {
      if (this.#consistency === undefined || position(token) > position(this.#consistency)) {
        this.#consistency = token;
      }
    } catch {
      // Not a position: keep the one held.
    }
  }

  /**
   * Subscribes; yields each typed event until the server ends the subscription or the caller
   * stops iterating. An error event (e.g. `SUBSCRIPTION_OVERFLOW`) or a refusal (a bad token
   * closes the socket with 4403) rejects with a `TalentApiError`.
   */
  async *subscribe<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    ...[variables]: VariablesArg<TVariables>
  ): AsyncGenerator<TResult, void, undefined> {
    const events = this.#socket().iterate<TResult>({
      ...operation(document, this.#persisted),
      variables: (variables ?? {}) as Record<string, unknown>,
    });
    try {
      for await (const event of events) {
        if (event.errors?.length) {
          throw new TalentApiError(event.errors as GraphQLErrorEntry[], 0);
        }
        if (event.data != null) {
          yield event.data;
        }
      }
    } catch (error) {
      throw asApiError(error);
    } finally {
      await events.return?.();
    }
  }

  /**
   * Vacancies as they are published and match `filter`, each once and in publication order,
   * through lost connections: when the WebSocket closes for any reason but a refused token (an
   * instance restarting closes with 1012; a network failure), this reconnects, backing off from
   * 250 ms to 5 s, and subscribes again `after` the last `publicationId` it yielded, so the server
   * replays what was published meanwhile. Gives up (rejecting with the last `TalentApiError`)
   * after `retries` failed attempts in a row (10 by default). Start from a list with `after`: the
   * newest `publicationId` it holds.
   */
  async *vacancyPublications(
    filter?: VacancyFilter,
    options: { after?: string; retries?: number } = {},
  ): AsyncGenerator<PublishedVacancy, void, undefined> {
    let after = options.after;
    let failures = 0;
    for (;;) {
      try {
        for await (const event of this.subscribe(VacancyPublishedDocument, { filter, after })) {
          failures = 0;
          after = event.vacancyPublished.publicationId ?? after;
          yield event.vacancyPublished;
        }
        return;
      } catch (error) {
        const failure = asApiError(error);
        const lost = failure.code?.startsWith('WEBSOCKET_CLOSED_') || failure.code === 'NETWORK';
        failures += 1;
        if (!lost || failures > (options.retries ?? 10)) {
          throw failure;
        }
        // The socket is gone for every subscription of this client: the next one opens anew.
        await this.dispose();
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** (failures - 1))));
      }
    }
  }

  /**
   * Opens the WebSocket (if it is not open yet) and resolves once the server has accepted the
   * token; rejects with a `TalentApiError` if it refused it.
   */
  connected(): Promise<void> {
    this.#socket();
    return this.#ready ?? Promise.resolve();
  }

  /** Closes the WebSocket, if one is open. */
  async dispose(): Promise<void> {
    await this.#ws?.dispose();
    this.#ws = undefined;
    this.#ready = undefined;
  }

  #socket(): WsClient {
    if (this.#ws) {
      return this.#ws;
    }
    let accepted: () => void = () => undefined;
    let refused: (error: TalentApiError) => void = () => undefined;
    this.#ready = new Promise<void>((resolve, reject) => {
      accepted = resolve;
      refused = reject;
    });
    // Nobody need wait for it: a refusal also reaches every subscription.
    this.#ready.catch(() => undefined);
    this.#ws = createClient({
      url: this.#wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: this.#token ? { Authorization: `Bearer ${this.#token}` } : {},
      // Open at once and stay open until dispose(), so connected() means what it says.
      lazy: false,
      // A refused token is final: don't reconnect and try again.
      retryAttempts: 0,
      // graphql-ws logs a lost connection of a non-lazy client with console.error; here it
      // reaches `connected()` and every subscription as a TalentApiError instead.
      onNonLazyError: () => undefined,
      on: {
        connected: () => accepted(),
        closed: (event) => refused(asApiError(event)),
      },
    });
    return this.#ws;
  }
}

/** graphql-ws reports refusals as close events and GraphQL errors as arrays: one error type. */
function asApiError(error: unknown): TalentApiError {
  if (error instanceof TalentApiError) {
    return error;
  }
  if (Array.isArray(error)) {
    return new TalentApiError(error as GraphQLErrorEntry[], 0);
  }
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') {
    const reason = 'reason' in error && typeof error.reason === 'string' ? error.reason : '';
    const code = error.code === 4403 ? 'FORBIDDEN' : `WEBSOCKET_CLOSED_${error.code}`;
    return new TalentApiError([{ message: reason || `the WebSocket closed with ${error.code}`, extensions: { code } }], 0);
  }
  return new TalentApiError([{ message: String(error), extensions: { code: 'NETWORK' } }], 0);
}
