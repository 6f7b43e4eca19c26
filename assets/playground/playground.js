// The talent-api playground: GraphiQL on /graphql, subscriptions on /graphql/ws, and a first tab
// of examples that work on the demo data. No inline script, so it runs under a strict CSP.
(function () {
  'use strict';
  var origin = window.location.origin;
  var wsOrigin = origin.replace(/^http/, 'ws');

  var examples = [
    '# Welcome to talent-api. Run an operation with the ▶ button (or Ctrl+Enter);',
    '# the Docs button on the left shows every type and field with its description.',
    '',
    '# Senior Java developers in the UK, Ireland or Germany who mention Kafka, best match first.',
    'query SearchDevelopers {',
    '  developers(',
    '    search: "kafka"',
    '    filter: { skills: [{ slug: "java", minLevel: 4 }], seniority: [SENIOR, LEAD], countryCodes: ["GB", "IE", "DE"] }',
    '    first: 10',
    '  ) {',
    '    totalCount',
    '    pageInfo { hasNextPage endCursor }',
    '    nodes { id name headline city countryCode skills { skill { name } level } }',
    '  }',
    '}',
    '',
    '# A page of open vacancies, newest first, with employer and skills.',
    'query ListVacancies($after: String) {',
    '  vacancies(first: 20, after: $after, orderBy: { field: PUBLISHED_AT, direction: DESC }) {',
    '    pageInfo { hasNextPage endCursor }',
    '    nodes {',
    '      id title publishedAt',
    '      salary { min max currency period }',
    '      employer { name industry }',
    '      skills { skill { name } required minLevel }',
    '    }',
    '  }',
    '}',
    '',
    '# Open vacancies within 250 km of Munich, nearest first, each with its distance.',
    'query JobsNearMunich {',
    '  vacancies(',
    '    filter: { near: { city: "München", countryCode: "DE", radiusKm: 250 } }',
    '    orderBy: { field: DISTANCE }',
    '  ) {',
    '    totalCount',
    '    nodes { title city distanceKm(from: { city: "München", countryCode: "DE" }) employer { name } }',
    '  }',
    '}',
    '',
    '# Mutations need a token: mint one with `talent-api token create --role admin --name me`',
    '# and paste it into the Headers pane below ({"Authorization": "Bearer tal_..."}).',
    'mutation PostVacancy {',
    '  createVacancy(input: {',
    '    employerId: "RW1wbG95ZXI6MQ"',
    '    title: "Senior Rust Engineer"',
    '    seniority: SENIOR',
    '    employmentType: FULL_TIME',
    '    workplace: REMOTE',
    '    countryCode: "DE"',
    '    skills: [{ slug: "rust", minLevel: 4 }]',
    '  }) {',
    '    vacancy { id status }',
    '    userErrors { field code message }',
    '  }',
    '}',
    '',
    '# A developer profile from a JSON Resume document (jsonresume.org; Developer.resume exports',
    '# one): skills matched to the taxonomy, the names it lacks returned in unmatchedSkills.',
    'mutation ImportResume {',
    '  importResume(input: {',
    '    handle: "noor-haddad"',
    '    resume: {',
    '      basics: {',
    '        name: "Noor Haddad", label: "Senior Backend Engineer", email: "noor@example.org"',
    '        location: { city: "Munich", countryCode: "DE" }',
    '      }',
    '      work: [{ name: "Ledgerly", position: "Backend engineer", startDate: "2016-03" }]',
    '      skills: [{ name: "Back end", level: "Master", keywords: ["Rust", "Postgres", "Kafka"] }]',
    '    }',
    '  }) {',
    '    created unmatchedSkills',
    '    developer { handle seniority yearsOfExperience skills { skill { name } level } }',
    '    userErrors { field code message }',
    '  }',
    '}',
    '',
    '# New remote vacancies as they are published (runs until you stop it).',
    'subscription NewRemoteVacancies {',
    '  vacancyPublished(filter: { workplace: [REMOTE] }) { id title employer { name } }',
    '}',
    ''
  ].join('\n');

  var fetcher = GraphiQL.createFetcher({
    url: origin + '/graphql',
    wsClient: graphqlWs.createClient({
      url: wsOrigin + '/graphql/ws',
      lazy: true,
      connectionParams: function () {
        // The Authorization header of the Headers pane is not visible here; a token can be
        // given once with ?token=... in the playground's address.
        var token = new URLSearchParams(window.location.search).get('token');
        return token ? { Authorization: 'Bearer ' + token } : {};
      }
    })
  });

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: examples,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    })
  );
})();
