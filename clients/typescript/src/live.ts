// The generated client against a live talent-api server with the demo data: what a front end does
// first (search, page through, post a vacancy, hear of it), with every answer checked.
//
//   TALENT_API_URL=http://127.0.0.1:8000/graphql TALENT_EMPLOYER_TOKEN=tal_... \
//     TALENT_DEVELOPER_TOKEN=tal_... TALENT_DEVELOPER_HANDLE=aiden-kelly node dist/live.js
//
// With TALENT_PERSISTED=1 every operation goes as its hash alone, for a server that runs only this
// client's manifest (--trusted-documents src/gql/persisted-documents.json), and one more check
// shows that any other document is refused.
import assert from 'node:assert/strict';
import net from 'node:net';
import { TalentApiError, TalentClient, type PublishedVacancy } from './client.js';
import {
  CreateVacancyDocument,
  DeveloperResumeDocument,
  ImportResumeDocument,
  PublishVacancyDocument,
  SearchDevelopersDocument,
  VacanciesPageDocument,
  VacancyDocument,
  VacancyPublishedDocument,
  ViewerDocument,
  type CreateVacancyInput,
  type UserErrorCode,
} from './gql/graphql.js';

const url = required('TALENT_API_URL');
const employerToken = required('TALENT_EMPLOYER_TOKEN');
const developerToken = required('TALENT_DEVELOPER_TOKEN');
const developerHandle = required('TALENT_DEVELOPER_HANDLE');
const persisted = process.env['TALENT_PERSISTED'] === '1';

const anonymous = new TalentClient({ url, persisted });
const employer = new TalentClient({ url, token: employerToken, persisted });
const developer = new TalentClient({ url, token: developerToken, persisted });
let employerIdCache: string | undefined;

const checks: Array<[string, () => Promise<void>]> = [
  ['searches developers by text and skill level', searchDevelopers],
  ['pages through every vacancy, newest first, without gaps or repeats', pageThroughVacancies],
  ['is refused a mutation without a token, with a stable code', refusedWithoutToken],
  ['gets typed user errors for bad input', userErrorsForBadInput],
  ['creates and publishes a vacancy, and a subscriber hears of it', createPublishAndHear],
  ['is refused a WebSocket with a bad token', refusedBadTokenOnWebSocket],
  ['reads its own writes at once', readsItsOwnWrites],
  ['keeps a profile in step with its JSON Resume, refused on a stale version', syncsAResume],
  ['resumes its publications after a lost connection, without a gap or a repeat', resumesAfterLostConnection],
  ['stays subscribed through a long quiet spell and hears every publication after it', quietThenHear],
];
if (persisted) {
  checks.push(['is refused a document outside its manifest, even sent as text', refusedOutsideTheManifest]);
}

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
await anonymous.dispose();
await employer.dispose();
await developer.dispose();
console.log(`${checks.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

async function searchDevelopers(): Promise<void> {
  const { developers } = await anonymous.request(SearchDevelopersDocument, {
    search: 'rust',
    filter: { openToWork: true, skills: [{ slug: 'rust', minLevel: 3 }] },
    first: 5,
  });
  assert.ok(developers.totalCount > 0, 'the demo data has Rust developers open to work');
  assert.ok(developers.nodes.length > 0 && developers.nodes.length <= 5);
  for (const developer of developers.nodes) {
    assert.equal(developer.openToWork, true);
    const rust = developer.skills.find((s) => s.skill.slug === 'rust');
    assert.ok(rust && rust.level >= 3, `${developer.handle} knows Rust at level 3 or more`);
  }
}

async function pageThroughVacancies(): Promise<void> {
  const seen = new Set<string>();
  let after: string | null = null;
  let total = -1;
  let previous = Number.POSITIVE_INFINITY;
  let pages = 0;
  for (;;) {
    const { vacancies }: Awaited<ReturnType<typeof page>> = await page(after);
    pages += 1;
    total = total < 0 ? vacancies.totalCount : total;
    assert.equal(vacancies.totalCount, total, 'the total stays the same from page to page');
    for (const { node } of vacancies.edges) {
      assert.ok(!seen.has(node.id), `${node.id} appears once`);
      seen.add(node.id);
      assert.equal(node.status, 'OPEN');
      assert.ok(node.publishedAt, 'an open vacancy has a publication time');
      const published = Date.parse(node.publishedAt);
      assert.ok(published <= previous, 'newest first');
      previous = published;
      assert.ok(node.employer.name.length > 0);
      if (node.salary) {
        assert.ok(node.salary.min <= node.salary.max);
      }
    }
    if (!vacancies.pageInfo.hasNextPage) {
      break;
    }
    assert.ok(vacancies.pageInfo.endCursor, 'a page with a next page has an end cursor');
    after = vacancies.pageInfo.endCursor;
  }
  assert.ok(pages > 1, 'the demo data spans several pages of 7');
  assert.equal(seen.size, total, 'every vacancy counted was seen');

  function page(cursor: string | null) {
    return anonymous.request(VacanciesPageDocument, {
      first: 7,
      after: cursor,
      filter: { status: ['OPEN'] },
    });
  }
}

async function refusedWithoutToken(): Promise<void> {
  const employerId = await ownEmployerId();
  const error = await rejection(anonymous.request(CreateVacancyDocument, { input: vacancy(employerId, 'IS') }));
  // Anonymous callers are asked to sign in; a token without the right gets FORBIDDEN.
  assert.equal(error.code, 'UNAUTHENTICATED');
}

async function refusedOutsideTheManifest(): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: '{ developers(first: 100) { nodes { handle } } }' }),
  });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  assert.equal(body.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_ALLOWED');
  assert.equal(body.data, undefined, 'nothing ran');
}

async function userErrorsForBadInput(): Promise<void> {
  const employerId = await ownEmployerId();
  const { createVacancy } = await employer.request(CreateVacancyDocument, {
    input: { ...vacancy(employerId, 'IS'), title: ' ', salary: { min: 90_000, max: 60_000, currency: 'EUR' } },
  });
  assert.equal(createVacancy.vacancy, null, 'nothing is created');
  // `code` is the schema's UserErrorCode union: a misspelt code here would not compile.
  const byField = new Map(createVacancy.userErrors.map((e) => [e.field.join('.'), e.code]));
  assert.deepEqual(
    Object.fromEntries(byField),
    { 'input.title': 'REQUIRED', 'input.salary.max': 'OUT_OF_RANGE' } satisfies Record<string, UserErrorCode>,
  );
  assert.ok(createVacancy.userErrors.every((e) => e.message.length > 0));
}

/**
 * A default graphql-ws client (it never pings; here it also never reconnects) stays subscribed
 * through `TALENT_QUIET_MS` (90 s by default) without traffic: the server pings quiet sockets and
 * the client answers, so nothing closes it. Then every vacancy published reaches it.
 */
async function quietThenHear(): Promise<void> {
  const quietMs = Number(process.env.TALENT_QUIET_MS ?? 90_000);
  const employerId = await ownEmployerId();
  const listener = new TalentClient({ url, persisted });
  const events = listener.subscribe(VacancyPublishedDocument, {
    filter: { countryCodes: ['GL'], skills: ['rust'] },
  });
  let pending = events.next();
  // A closed socket would reject it during the quiet spell: kept for the check below.
  pending.catch(() => undefined);
  await listener.connected();
  await sleep(quietMs);
  const published: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    published.push(await createAndPublish(employerId, 'GL'));
  }
  for (const [i, id] of published.entries()) {
    const event = await within(10_000, pending);
    assert.ok(!event.done, 'the subscription is still going');
    assert.equal(event.value.vacancyPublished.id, id);
    // No next() after the last: return() would wait behind it for an event that never comes.
    if (i + 1 < published.length) {
      pending = events.next();
    }
  }
  await events.return();
  await listener.dispose();
}

async function createPublishAndHear(): Promise<void> {
  const employerId = await ownEmployerId();
  // Heard by an anonymous subscriber: only vacancies in Iceland asking for Rust.
  const events = anonymous.subscribe(VacancyPublishedDocument, {
    filter: { countryCodes: ['IS'], skills: ['rust'] },
  });
  const next = () => within(10_000, events.next());
  let pending = next();
  await anonymous.connected();

  // The server starts listening once it has read the subscription, which the protocol does not
  // acknowledge: publish until one arrives (in practice the first), then check the filter with
  // the subscription certainly in place.
  const published: string[] = [];
  let heard = -1;
  for (let attempt = 0; attempt < 5 && heard < 0; attempt += 1) {
    published.push(await createAndPublish(employerId, 'IS'));
    const event = await Promise.race([pending, sleep(2_000).then(() => undefined)]);
    if (event) {
      assert.ok(!event.done, 'the subscription is still going');
      heard = published.indexOf(event.value.vacancyPublished.id);
      assert.ok(heard >= 0, 'what arrives is a vacancy published here');
      pending = next();
    }
  }
  assert.ok(heard >= 0, 'a published vacancy reached the subscriber');

  // Events arrive in publication order: had the filter let the Norwegian one through, it would
  // come before the Icelandic one published after it.
  await createAndPublish(employerId, 'NO');
  const matching = await createAndPublish(employerId, 'IS');
  const expected = [...published.slice(heard + 1), matching];
  for (const id of expected) {
    const event = await pending;
    assert.ok(!event.done);
    assert.equal(event.value.vacancyPublished.id, id);
    assert.equal(event.value.vacancyPublished.countryCode, 'IS');
    assert.equal(event.value.vacancyPublished.status, 'OPEN');
    assert.ok(event.value.vacancyPublished.skills.some((s) => s.skill.slug === 'rust'));
    if (id !== matching) {
      pending = next();
    }
  }
  await events.return();
}

/**
 * `vacancyPublications` over a TCP relay that is cut mid-stream, as a network failure would: the
 * client reconnects and resumes after the last publication it had, so it ends with every
 * publication once, in order, including the two published while it was away.
 */
async function resumesAfterLostConnection(): Promise<void> {
  const employerId = await ownEmployerId();
  const relay = await tcpRelay(new URL(url));
  const wsUrl = `ws://127.0.0.1:${relay.port}${new URL(url).pathname.replace(/\/?$/, '/ws')}`;
  const listener = new TalentClient({ url, wsUrl, persisted });
  try {
    const events = listener.vacancyPublications({ countryCodes: ['FO'], skills: ['rust'] });
    let pending = events.next();
    await listener.connected();
    // The server listens once it has read the subscription: publish until one arrives.
    const published: string[] = [];
    let first: IteratorResult<PublishedVacancy, void> | undefined;
    for (let attempt = 0; attempt < 5 && !first; attempt += 1) {
      published.push(await createAndPublish(employerId, 'FO'));
      first = await Promise.race([pending, sleep(2_000).then(() => undefined)]);
    }
    assert.ok(first && !first.done, 'a publication arrived before the cut');
    const heard = published.indexOf(first.value.id);
    assert.ok(heard >= 0);
    pending = events.next();
    relay.cut();
    published.push(await createAndPublish(employerId, 'FO'));
    published.push(await createAndPublish(employerId, 'FO'));
    const expected = published.slice(heard + 1);
    const received: string[] = [];
    for (let i = 0; i < expected.length; i += 1) {
      const event = await within(15_000, pending);
      assert.ok(!event.done, 'the subscription goes on after the cut');
      received.push(event.value.id);
      if (i + 1 < expected.length) {
        pending = events.next();
      }
    }
    // Then live again on the new connection.
    const live = await createAndPublish(employerId, 'FO');
    const last = await within(10_000, events.next());
    assert.ok(!last.done);
    received.push(last.value.id);
    assert.deepEqual(received, [...expected, live]);
    assert.ok(relay.connections() >= 2, 'the client reconnected');
    await events.return();
  } finally {
    await listener.dispose();
    relay.close();
  }
}

/** A TCP relay to `target`'s host and port; `cut()` drops every connection it carries. */
async function tcpRelay(target: URL): Promise<{ port: number; cut(): void; close(): void; connections(): number }> {
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(Number(target.port), target.hostname);
    open.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    cut: () => open.forEach((socket) => socket.destroy()),
    close: () => {
      open.forEach((socket) => socket.destroy());
      server.close();
    },
    connections: () => accepted,
  };
}

/**
 * A draft read right after it is created is there, every time. Against a server reading from a
 * replica that applies writes 300 ms late (TALENT_EXPECT_CONSISTENCY=1), that holds only because
 * the client sends the mutation's consistency token back.
 */
async function readsItsOwnWrites(): Promise<void> {
  const employerId = await ownEmployerId();
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const { createVacancy } = await employer.request(CreateVacancyDocument, { input: vacancy(employerId, 'IS') });
    assert.deepEqual(createVacancy.userErrors, []);
    assert.ok(createVacancy.vacancy);
    assert.equal(
      employer.consistency !== undefined,
      process.env['TALENT_EXPECT_CONSISTENCY'] === '1',
      'a consistency token is held exactly when the server reads from replicas',
    );
    const { vacancy: read } = await employer.request(VacancyDocument, { id: createVacancy.vacancy.id });
    assert.equal(read?.id, createVacancy.vacancy.id, `attempt ${attempt}: the new draft is read back`);
    assert.equal(read?.status, 'DRAFT');
  }
}

async function syncsAResume(): Promise<void> {
  const { developer: before } = await developer.request(DeveloperResumeDocument, { handle: developerHandle });
  assert.ok(before, 'the developer reads their own profile');
  const resume = structuredClone(before.resume) as { basics: { label: string; email?: string } };
  assert.ok(resume.basics.email, 'their own export carries their email address');
  resume.basics.label = `${before.headline} (synced from a CV)`;
  const { importResume } = await developer.request(ImportResumeDocument, {
    input: { resume, handle: developerHandle, expectedVersion: before.version },
  });
  assert.deepEqual(importResume.userErrors, []);
  assert.deepEqual(importResume.unmatchedSkills, [], 'an export matches the taxonomy it came from');
  assert.equal(importResume.created, false);
  assert.equal(importResume.developer?.version, before.version + 1);
  const { developer: after } = await developer.request(DeveloperResumeDocument, { handle: developerHandle });
  assert.equal(after?.headline, resume.basics.label, 'read back at once');
  const { importResume: stale } = await developer.request(ImportResumeDocument, {
    input: { resume: before.resume, handle: developerHandle, expectedVersion: before.version },
  });
  assert.equal(stale.developer, null);
  assert.deepEqual(
    stale.userErrors.map((e) => [e.field, e.code]),
    [[['input', 'expectedVersion'], 'STALE_VERSION' satisfies UserErrorCode]],
  );
}

async function refusedBadTokenOnWebSocket(): Promise<void> {
  const stranger = new TalentClient({ url, token: 'tal_this-token-was-never-issued-by-the-server00', persisted });
  try {
    const error = await rejection(stranger.connected());
    assert.equal(error.code, 'FORBIDDEN');
  } finally {
    await stranger.dispose();
  }
}

async function createAndPublish(employerId: string, countryCode: string): Promise<string> {
  const { createVacancy } = await employer.request(CreateVacancyDocument, { input: vacancy(employerId, countryCode) });
  assert.deepEqual(createVacancy.userErrors, []);
  assert.ok(createVacancy.vacancy);
  assert.equal(createVacancy.vacancy.status, 'DRAFT');
  const { publishVacancy } = await employer.request(PublishVacancyDocument, {
    id: createVacancy.vacancy.id,
    expectedVersion: createVacancy.vacancy.version,
  });
  assert.deepEqual(publishVacancy.userErrors, []);
  assert.equal(publishVacancy.vacancy?.status, 'OPEN');
  return createVacancy.vacancy.id;
}

function vacancy(employerId: string, countryCode: string): CreateVacancyInput {
  return {
    employerId,
    title: 'Senior Rust Engineer, payments ledger',
    description: 'Own the double-entry ledger behind card settlement: Rust, PostgreSQL, Kafka.',
    countryCode,
    city: ({ IS: 'Reykjavik', GL: 'Nuuk', FO: 'Tórshavn' } as Record<string, string>)[countryCode] ?? 'Oslo',
    seniority: 'SENIOR',
    employmentType: 'FULL_TIME',
    workplace: 'HYBRID',
    salary: { min: 85_000, max: 110_000, currency: 'EUR', period: 'YEAR' },
    skills: [
      { slug: 'rust', minLevel: 4 },
      { slug: 'postgresql', minLevel: 3 },
      { slug: 'kafka', minLevel: 2, required: false },
    ],
  };
}

async function ownEmployerId(): Promise<string> {
  if (!employerIdCache) {
    const { viewer } = await employer.request(ViewerDocument);
    assert.equal(viewer?.role, 'EMPLOYER');
    assert.ok(viewer.employer, 'an employer token acts for an employer');
    employerIdCache = viewer.employer.id;
  }
  return employerIdCache;
}

async function rejection(promise: Promise<unknown>): Promise<TalentApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TalentApiError, `a TalentApiError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected the server to refuse');
}

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

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return value;
}
