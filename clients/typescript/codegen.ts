// GraphQL Code Generator: typed operations from the server's committed schema.graphql.
// The output (src/gql/) is generated, not committed, so a schema change that breaks these
// operations fails `npm run codegen` or `npm run typecheck` instead of going unnoticed.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        // Whole result types, no fragment masking: the operations are small.
        fragmentMasking: false,
        // src/gql/persisted-documents.json: the manifest of every operation by its SHA-256
        // (the server's --trusted-documents), and each document carries its hash, so the client
        // can send the hash alone.
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      config: {
        // Documents as typed strings: fetch and graphql-ws send them as they are, so the
        // client needs no GraphQL library at run time.
        documentMode: 'string',
        useTypeImports: true,
        // `.js` on relative imports, as Node's ES modules want.
        emitLegacyCommonJSImports: false,
        // Enums as string unions: they check like enums and cost nothing at run time.
        enumsAsTypes: true,
        // Every custom scalar must be mapped; a new one fails code generation.
        strictScalars: true,
        scalars: {
          DateTime: { input: 'string', output: 'string' },
          // Vacancy.jobPosting: schema.org JSON-LD, read as data.
          JSON: { input: 'unknown', output: 'Record<string, unknown>' },
        },
      },
    },
  },
};

export default config;
