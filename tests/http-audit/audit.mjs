// The graphql-http audit suite (GraphQL over HTTP) against the server at TALENT_API_URL. Prints
// every audit with its verdict and exits 1 unless all of them are ok: warnings count as failures.
import { auditServer } from 'graphql-http';

const url = process.env.TALENT_API_URL;
if (!url) {
  console.error('set TALENT_API_URL to the server\'s /graphql URL');
  process.exit(2);
}

const results = await auditServer({ url });
let failed = 0;
for (const result of results) {
  const line = `${result.status.padEnd(5)} ${result.id} ${result.name}`;
  if (result.status === 'ok') {
    console.log(line);
    continue;
  }
  failed += 1;
  console.log(line);
  console.log(`      ${result.reason}`);
  if (result.response) {
    const body = await result.response.text().catch(() => '(no body)');
    console.log(`      ${result.response.status} ${result.response.headers.get('content-type')}: ${body.slice(0, 300)}`);
  }
}
const ok = results.length - failed;
console.log(`${ok} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
