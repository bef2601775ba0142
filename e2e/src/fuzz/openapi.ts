/** The parts of an OpenAPI 3.0 document the fuzz reads (what @nestjs/swagger emits from the zod schemas). */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** One operation of one app, its schemas with every `$ref` resolved. */
export interface Operation {
  app: string;
  method: string;
  /** The path template, e.g. `/api/v1/agents/{agent_id}`. */
  path: string;
  parameters: OpenApiParameter[];
  body?: { required: boolean; contentTypes: string[]; schema: JsonSchema };
  /** It declares a security requirement (an API key). */
  secured: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function operationKey(operation: Pick<Operation, 'app' | 'method' | 'path'>): string {
  return `${operation.app} ${operation.method} ${operation.path}`;
}

/** Every operation of the document, in document order. */
export function operationsOf(app: string, doc: OpenApiDocument): Operation[] {
  const resolve = (schema: JsonSchema | undefined, depth = 0): JsonSchema => {
    if (!schema || depth > 20) return {};
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      return resolve(doc.components?.schemas?.[name], depth + 1);
    }
    const out: JsonSchema = { ...schema };
    if (schema.items) out.items = resolve(schema.items, depth + 1);
    if (schema.properties) {
      out.properties = Object.fromEntries(
        Object.entries(schema.properties).map(([key, value]) => [key, resolve(value, depth + 1)]),
      );
    }
    if (typeof schema.additionalProperties === 'object') {
      out.additionalProperties = resolve(schema.additionalProperties, depth + 1);
    }
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (schema[key]) out[key] = schema[key].map((s) => resolve(s, depth + 1));
    }
    return out;
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      const contentTypes = Object.keys(content);
      operations.push({
        app,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) })),
        body: op.requestBody
          ? {
              required: op.requestBody.required ?? false,
              contentTypes,
              schema: resolve(content[contentTypes[0] ?? '']?.schema),
            }
          : undefined,
        secured: (op.security ?? []).length > 0,
      });
    }
  }
  return operations;
}
