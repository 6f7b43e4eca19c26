// JSON Resume's own tools against a running talent-api with the demo data (scripts/resume-test.sh):
//
// - every developer's `resume`, as the public and as an admin sees it, passes the validator of
//   @jsonresume/schema (the project's published schema and its validator), and renders with a
//   published theme (jsonresume-theme-even), showing the name and every skill;
// - the sample resume and the example resumes that package ships (CVs written by others, not by
//   this project) import through `importResume` as new profiles: the fields it maps, the skills
//   matched or returned as unmatched (never dropped silently, never made up), levels from words,
//   years of experience from the dates of `work`; each new profile's export validates again and
//   imports back unchanged.
//
// TALENT_API_URL is the GraphQL endpoint, TALENT_ADMIN_TOKEN an admin token.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

import { render } from 'jsonresume-theme-even';

const require = createRequire(import.meta.url);
const { validate } = require('@jsonresume/schema');
const packageDir = dirname(require.resolve('@jsonresume/schema/package.json'));

const url = process.env.TALENT_API_URL;
const admin = process.env.TALENT_ADMIN_TOKEN;
assert.ok(url && admin, 'TALENT_API_URL and TALENT_ADMIN_TOKEN must be set');

async function graphql(query, variables = {}, token = undefined) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

/** The validator's errors for `resume`, or null when it is valid. */
function schemaErrors(resume) {
  let found = null;
  validate(resume, (errors) => {
    found = errors;
  });
  return found;
}

/** Every developer, `selection` of each, paging 100 at a time. */
async function developers(selection, token) {
  const query = `query($after: String) { developers(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${selection} } } }`;
  const nodes = [];
  let after = null;
  for (;;) {
    const { developers: page } = await graphql(query, { after }, token);
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}

const escapeHtml = (text) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** The HTML shows `text`, whichever way the theme escapes it. */
function shows(html, text) {
  return html.includes(text) || html.includes(escapeHtml(text)) || html.includes(text.replaceAll("'", '&#x27;'));
}

async function exportsValidateAndRender() {
  for (const [who, token] of [['the public', undefined], ['an admin', admin]]) {
    const nodes = await developers('handle resume', token);
    assert.ok(nodes.length > 100, `${nodes.length} developers`);
    for (const { handle, resume } of nodes) {
      const errors = schemaErrors(resume);
      assert.equal(errors, null, `${handle}'s resume as ${who} sees it: ${JSON.stringify(errors)}`);
      const html = render(resume);
      assert.ok(shows(html, resume.basics.name), `${handle}: the rendered page shows the name`);
      for (const skill of resume.skills) {
        assert.ok(shows(html, skill.name), `${handle}: the rendered page shows ${skill.name}`);
      }
    }
    console.log(`ok: ${nodes.length} resumes as ${who} sees them pass @jsonresume/schema and render with jsonresume-theme-even`);
  }
}

const IMPORT = `mutation($input: ImportResumeInput!) {
  importResume(input: $input) { created unmatchedSkills developer { version } userErrors { field code message } }
}`;
const PROFILE = `query($handle: String!) { developer(handle: $handle) {
  name email headline bio city countryCode seniority yearsOfExperience remotePreference openToWork
  links { url } skills { skill { slug name aliases } level } version resume
} }`;

/** How the server compares skill names: no case, spaces, dots, hyphens or underscores. */
const key = (name) => name.toLowerCase().replace(/[\s._-]/g, '');
const LEVELS = { beginner: 1, intermediate: 3, advanced: 4, master: 5 };

/** Whole years the jobs of `work` cover, overlaps once, open jobs to this month. */
function yearsOf(work) {
  const now = new Date();
  const month = (date) => {
    const [year, m = '01'] = date.split('-');
    return Number(year) * 12 + Number(m) - 1;
  };
  const spans = work
    .filter((job) => job.startDate)
    .map((job) => [month(job.startDate), Math.min(job.endDate ? month(job.endDate) : Infinity, now.getUTCFullYear() * 12 + now.getUTCMonth())])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let months = 0;
  let reached = -Infinity;
  for (const [start, end] of spans) {
    const from = Math.max(start, reached);
    if (end > from) {
      months += end - from;
      reached = end;
    }
  }
  return Math.floor(months / 12);
}

async function othersResumesImport() {
  const files = [join(packageDir, 'sample.resume.json'), ...readdirSync(join(packageDir, 'examples')).map((file) => join(packageDir, 'examples', file))];
  assert.ok(files.length >= 4, files.join(', '));
  for (const file of files) {
    const resume = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(schemaErrors(resume), null, `${file} is a valid JSON Resume`);
    const handle = `jr-${basename(file, '.json').replace(/\W+/g, '-').toLowerCase()}`.slice(0, 40);
    const { importResume: payload } = await graphql(IMPORT, { input: { resume, handle } }, admin);
    assert.deepEqual(payload.userErrors, [], `${file}: ${JSON.stringify(payload.userErrors)}`);
    assert.equal(payload.created, true);
    const { developer } = await graphql(PROFILE, { handle }, admin);
    const basics = resume.basics;
    assert.equal(developer.name, basics.name);
    assert.equal(developer.email, basics.email.toLowerCase());
    assert.equal(developer.headline, basics.label);
    assert.equal(developer.bio, basics.summary ?? '');
    assert.equal(developer.city, basics.location.city);
    assert.equal(developer.countryCode, basics.location.countryCode);
    assert.equal(developer.yearsOfExperience, yearsOf(resume.work ?? []), `${file}: years`);
    const links = [...new Set([basics.url, ...(basics.profiles ?? []).map((profile) => profile.url)].filter(Boolean))];
    assert.deepEqual(developer.links.map((link) => link.url), links, `${file}: links`);

    // Every name the document gives is a skill now or is reported; every skill came from a name,
    // at the highest level of the entries naming it.
    const names = resume.skills.flatMap((entry) => [entry.name, ...(entry.keywords ?? [])].map((name) => ({ name, level: LEVELS[entry.level.toLowerCase()] })));
    const byKey = new Map();
    for (const { skill, level } of developer.skills) {
      for (const name of [skill.slug, skill.name, ...skill.aliases]) byKey.set(key(name), { skill, level });
    }
    const expected = new Map();
    for (const { name, level } of names) {
      const held = byKey.get(key(name));
      if (held) {
        expected.set(held.skill.slug, Math.max(expected.get(held.skill.slug) ?? 0, level));
      } else {
        assert.ok(payload.unmatchedSkills.includes(name), `${file}: ${name} is neither imported nor reported`);
      }
    }
    for (const unmatched of payload.unmatchedSkills) {
      assert.ok(names.some(({ name }) => name === unmatched), `${file}: ${unmatched} is not in the document`);
    }
    assert.deepEqual(
      Object.fromEntries(developer.skills.map(({ skill, level }) => [skill.slug, level])),
      Object.fromEntries(expected),
      `${file}: skills`,
    );

    const errors = schemaErrors(developer.resume);
    assert.equal(errors, null, `${handle}'s export: ${JSON.stringify(errors)}`);
    const { importResume: again } = await graphql(IMPORT, { input: { resume: developer.resume, handle, expectedVersion: developer.version } }, admin);
    assert.deepEqual(again.userErrors, []);
    assert.equal(again.created, false);
    const { developer: after } = await graphql(PROFILE, { handle }, admin);
    const strip = ({ version, resume: exported, ...rest }) => ({ ...rest, resume: { ...exported, meta: { ...exported.meta, lastModified: null } } });
    assert.deepEqual(strip(after), strip(developer), `${file}: its export imports back unchanged`);
    console.log(
      `ok: ${basename(file)} imports as ${handle} (${developer.seniority}, ${developer.yearsOfExperience} years, skills ${developer.skills.map((s) => `${s.skill.slug}:${s.level}`).join(' ')}; unmatched: ${payload.unmatchedSkills.join(', ')})`,
    );
  }
}

await exportsValidateAndRender();
await othersResumesImport();
