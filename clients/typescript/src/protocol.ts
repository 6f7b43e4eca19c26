// graphql-transport-ws as the graphql-ws package defines it, against a live talent-api server:
// its client (createClient, default settings) for what a front end sees, and raw frames built and
// checked with the package's own CloseCode, MessageType, stringifyMessage and parseMessage (which
// validates every message the server sends) for what only a misbehaving client can provoke.
//
//   TALENT_API_URL=http://127.0.0.1:8000/graphql node dist/protocol.js
import assert from 'node:assert/strict';
import {
  CloseCode,
  GRAPHQL_TRANSPORT_WS_PROTOCOL,
  MessageType,
  createClient,
  parseMessage,
  stringifyMessage,
  type Client,
  type FormattedExecutionResult,
  type Message,
} from 'graphql-ws';
import WebSocket from 'ws';

const httpUrl = process.env.TALENT_API_URL;
if (!httpUrl) {
  console.error('set TALENT_API_URL');
  process.exit(2);
}
const wsUrl = (() => {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = url.pathname.replace(/\/?$/, '/ws');
  return url.toString();
})();

/** A vacancy ID that is well formed and names nothing. */
const UNKNOWN_VACANCY = Buffer.from('Vacancy:999999999').toString('base64url');
const PUBLISHED = 'subscription { vacancyPublished { id } }';

// Started first, checked last: the server waits one keep-alive interval (15 s) for connection_init.
const silent = rawSocket();

const checks: Array<[string, () => Promise<void>]> = [
  ['a refused subscription (validation) reaches the sink as error, without complete', refusedByValidation],
  ['a subscription to an unknown vacancy reaches the sink as error (NOT_FOUND)', refusedNotFound],
  ['a query over the socket gives next, then complete', queryThenComplete],
  ['one past the subscription cap is error TOO_MANY_SUBSCRIPTIONS; complete frees the slots', subscriptionCap],
  ['a bad token closes the client with 4403 Forbidden', badTokenForbidden],
  ['bad JSON, a message without id and an unknown type close with 4400', badRequests],
  ['subscribe before connection_ack closes with 4401', subscribeBeforeAck],
  ['a subscription id in use closes with 4409', idInUse],
  ['a second connection_init closes with 4429', secondInit],
  ['a socket that never sends connection_init closes with 4408', silentSocket],
];

let failed = 0;
for (const [name, check] of checks) {
  const started = performance.now();
  try {
    await check();
    console.log(`ok   ${name} (${Math.round(performance.now() - started)} ms)`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}`);
    console.log(error);
  }
}
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// --- with graphql-ws's client ------------------------------------------------------------------

/** A graphql-ws client with default settings, except that it never retries. */
function client(connectionParams: Record<string, unknown> = {}): Client {
  return createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams, lazy: true });
}

/** How one subscription ended: the results it got, then `complete` or `error` (with what). */
type Outcome = { results: FormattedExecutionResult<Record<string, unknown>, unknown>[] } & ({ ended: 'complete' } | { ended: 'error'; error: unknown });

function run(ws: Client, query: string, variables: Record<string, unknown> = {}): Promise<Outcome> {
  return within(10_000, new Promise<Outcome>((resolve) => {
    const results: Outcome["results"] = [];
    ws.subscribe({ query, variables }, {
      next: (result) => results.push(result),
      error: (error) => resolve({ results, ended: 'error', error }),
      complete: () => resolve({ results, ended: 'complete' }),
    });
  }));
}

/** The `extensions.code` of each GraphQL error graphql-ws handed to the sink's `error`. */
function codes(outcome: Outcome): string[] {
  assert.equal(outcome.ended, 'error', `ended with ${outcome.ended}`);
  assert.deepEqual(outcome.results, [], 'no next before the error');
  const errors = (outcome as { error: unknown }).error;
  assert.ok(Array.isArray(errors), `GraphQL errors, not ${String(errors)}`);
  return errors.map((e: { extensions?: { code?: string } }) => e.extensions?.code ?? 'no code');
}

async function refusedByValidation(): Promise<void> {
  const ws = client();
  try {
    assert.deepEqual(codes(await run(ws, 'subscription { vacancyPublished { nope } }')), ['GRAPHQL_VALIDATION_FAILED']);
  } finally {
    await ws.dispose();
  }
}

async function refusedNotFound(): Promise<void> {
  const ws = client();
  try {
    const outcome = await run(ws, 'subscription($id: ID!) { vacancyUpdated(id: $id) { id } }', { id: UNKNOWN_VACANCY });
    assert.deepEqual(codes(outcome), ['NOT_FOUND']);
  } finally {
    await ws.dispose();
  }
}

async function queryThenComplete(): Promise<void> {
  const ws = client();
  try {
    const outcome = await run(ws, '{ skills(first: 2) { nodes { slug } } }');
    assert.equal(outcome.ended, 'complete');
    assert.equal(outcome.results.length, 1);
    const [result] = outcome.results;
    assert.equal(result?.errors, undefined);
    const skills = (result?.data as { skills: { nodes: unknown[] } }).skills;
    assert.equal(skills.nodes.length, 2);
  } finally {
    await ws.dispose();
  }
}

async function subscriptionCap(): Promise<void> {
  const ws = client();
  try {
    // The cap is 20 by default: 20 run quietly, the 21st is refused.
    const stops: Array<() => void> = [];
    for (let i = 0; i < 20; i += 1) {
      stops.push(ws.subscribe({ query: PUBLISHED }, { next: () => {}, error: () => {}, complete: () => {} }));
    }
    assert.deepEqual(codes(await run(ws, PUBLISHED)), ['TOO_MANY_SUBSCRIPTIONS']);
    // Each stop sends `complete`; the server ends those subscriptions and frees their slots.
    for (const stop of stops) {
      stop();
    }
    await sleep(200);
    const again = await run(ws, '{ __typename }');
    assert.equal(again.ended, 'complete', 'a slot is free again');
  } finally {
    await ws.dispose();
  }
}

async function badTokenForbidden(): Promise<void> {
  const ws = client({ Authorization: 'Bearer tal_this-token-was-never-issued-by-the-server00' });
  const closed = new Promise<number>((resolve) => ws.on('closed', (event) => resolve((event as { code: number }).code)));
  try {
    const outcome = await run(ws, '{ __typename }');
    assert.equal(outcome.ended, 'error');
    assert.equal(await within(5_000, closed), CloseCode.Forbidden);
  } finally {
    await ws.dispose();
  }
}

// --- raw frames --------------------------------------------------------------------------------

/** A raw graphql-transport-ws socket: every message it gets must pass graphql-ws's validation. */
interface Raw {
  send(text: string): void;
  /** The next message, validated; throws on close. */
  message(): Promise<Message>;
  /** The close code, once closed (messages before it are skipped, but still validated). */
  closed: Promise<number>;
}

function rawSocket(): Raw {
  const socket = new WebSocket(wsUrl, GRAPHQL_TRANSPORT_WS_PROTOCOL);
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const inbox: Message[] = [];
  const waiting: Array<(message: Message | number) => void> = [];
  let closeCode: number | undefined;
  const closed = new Promise<number>((resolve) => {
    socket.once('close', (code) => {
      closeCode = code;
      resolve(code);
      waiting.splice(0).forEach((wake) => wake(code));
    });
  });
  socket.on('message', (data) => {
    const message = parseMessage(data.toString());
    if (message.type === MessageType.Ping) {
      socket.send(stringifyMessage({ type: MessageType.Pong }));
      return;
    }
    const wake = waiting.shift();
    if (wake) {
      wake(message);
    } else {
      inbox.push(message);
    }
  });
  return {
    send: (text) => void opened.then(() => socket.send(text)),
    message: async () => {
      const next = inbox.shift() ?? (closeCode ?? (await within(5_000, new Promise<Message | number>((r) => waiting.push(r)))));
      if (typeof next === 'number') {
        throw new Error(`closed with ${next}`);
      }
      return next;
    },
    closed,
  };
}

/** A raw socket whose connection_init the server acknowledged. */
async function acknowledged(): Promise<Raw> {
  const raw = rawSocket();
  raw.send(stringifyMessage({ type: MessageType.ConnectionInit, payload: {} }));
  assert.equal((await raw.message()).type, MessageType.ConnectionAck);
  return raw;
}

async function badRequests(): Promise<void> {
  const cases = [
    'this is not JSON',
    JSON.stringify({ type: MessageType.Subscribe, payload: { query: '{ __typename }' } }),
    JSON.stringify({ type: 'unheard_of' }),
  ];
  for (const text of cases) {
    const raw = await acknowledged();
    raw.send(text);
    assert.equal(await within(5_000, raw.closed), CloseCode.BadRequest, text);
  }
}

async function subscribeBeforeAck(): Promise<void> {
  const raw = rawSocket();
  raw.send(stringifyMessage({ id: '1', type: MessageType.Subscribe, payload: { query: PUBLISHED } }));
  assert.equal(await within(5_000, raw.closed), CloseCode.Unauthorized);
}

async function idInUse(): Promise<void> {
  const raw = await acknowledged();
  const subscribe = stringifyMessage({ id: 'same', type: MessageType.Subscribe, payload: { query: PUBLISHED } });
  raw.send(subscribe);
  raw.send(subscribe);
  assert.equal(await within(5_000, raw.closed), CloseCode.SubscriberAlreadyExists);
}

async function secondInit(): Promise<void> {
  const raw = await acknowledged();
  raw.send(stringifyMessage({ type: MessageType.ConnectionInit, payload: {} }));
  assert.equal(await within(5_000, raw.closed), CloseCode.TooManyInitialisationRequests);
}

async function silentSocket(): Promise<void> {
  assert.equal(await within(30_000, silent.closed), CloseCode.ConnectionInitialisationTimeout);
}

// --- helpers -----------------------------------------------------------------------------------

function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`nothing within ${ms} ms`);
    }),
  ]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
