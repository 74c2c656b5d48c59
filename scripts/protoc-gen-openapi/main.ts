import { createRegistry } from "@bufbuild/protobuf";
import { type Schema, createEcmaScriptPlugin, runNodeJs } from "@bufbuild/protoplugin";
import { createValidator } from "@bufbuild/protovalidate";
import { describe } from "./comments.ts";
import { errorSchemas } from "./connect-errors.ts";
import { type JsonSchema, createSchemaCollector } from "./json-schema.ts";
import { bearerScheme, connectParameters, rpcOperations } from "./operations.ts";

// protoc-gen-openapi: one OpenAPI 3.1 document (openapi.json) of the Connect JSON surface
// of every service in the generated files: paths, JSON Schemas of the messages with
// their protovalidate rules, access policies and declared error reasons. Run by buf
// (buf.gen.yaml) through `npm run generate`; docs/api-docs.md explains the mapping.

interface Options {
  title: string;
  version: string;
}

const plugin = createEcmaScriptPlugin<Options>({
  name: "protoc-gen-openapi",
  version: "v1",
  parseOptions(raw) {
    const options: Options = { title: "API", version: "v1" };
    for (const { key, value } of raw) {
      if (key !== "title" && key !== "version") throw new Error(`unknown option ${key}`);
      options[key] = value;
    }
    return options;
  },
  generateTs,
});

runNodeJs(plugin);

function generateTs(schema: Schema<Options>): void {
  const registry = createRegistry(...schema.allFiles);
  const schemas = createSchemaCollector(createValidator({ registry }));
  const paths: Record<string, JsonSchema> = {};
  const tags: JsonSchema[] = [];
  for (const file of schema.files) {
    for (const service of file.services) {
      let documented = false;
      for (const method of service.methods) {
        const operations = rpcOperations(method, schemas, registry);
        if (!operations) continue;
        paths[`/${service.typeName}/${method.name}`] = operations;
        documented = true;
      }
      if (documented) tags.push({ name: service.typeName, description: describe(service) });
    }
  }
  // errorSchemas first: it adds the error detail messages to schemas.components.
  const componentSchemas = { ...errorSchemas(schemas, registry), ...schemas.components };
  const document = {
    openapi: "3.1.0",
    info: { title: schema.options.title, version: schema.options.version, description: overview },
    servers: [{ url: "/" }],
    tags,
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(componentSchemas).sort(([a], [b]) => a.localeCompare(b))),
      parameters: connectParameters,
      securitySchemes: {
        [bearerScheme]: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A JWT from the configured issuer (docs/auth.md); locally `npm run token` prints one. Operations list the scopes they need.",
        },
      },
    },
  };
  schema.generateFile("openapi.json").print(JSON.stringify(document, null, 2));
}

const overview = `The services' Connect protocol in its JSON encoding, generated from the protos (docs/api-docs.md).

- **Calls**: \`POST /<package>.<Service>/<Method>\` with the request message as the JSON body (\`Content-Type: application/json\`); the answer is the response message. Methods declared free of side effects can also be called with \`GET\` (the message in the query), which caches.
- **JSON**: protobuf's JSON mapping: lowerCamelCase field names, 64-bit integers as strings, enums by name, Timestamps as RFC 3339 strings; fields with their zero value are left out of answers.
- **Validation**: protovalidate rules appear as JSON Schema keywords (\`required\`, lengths, patterns, formats, bounds, item counts) or, when JSON Schema has none, in the field's description. The server checks them all.
- **Errors**: a \`connect.Error\` body with an HTTP status derived from its code; \`details\` carry a \`google.rpc.ErrorInfo\` whose \`reason\` says what went wrong. Each operation lists the codes and reasons it is declared to fail with.
- **Streams**: server-streaming methods are documented with their \`application/connect+json\` enveloped framing; client and bidirectional streams (server reflection) are left out: they need HTTP/2 streaming (use buf curl or gRPC).
- The same services also speak gRPC and gRPC-Web, and Connect with binary protobuf.`;
