import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { OpenAPIRouter, type Document, type Operation } from 'openapi-backend';

// ajv-formats ships CommonJS typings that do not line up with ESM default imports.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface RecordedExchange {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
  responseBody: unknown;
}

interface Spec { file: string; router: OpenAPIRouter; document: Document }

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks requests and responses against HubSpot's official OpenAPI specs (spec/hubspot-openapi, copied from HubSpot's public collection).
 * A request HubSpot would not route, or whose body does not fit the schema, is a violation; so is
 * a sandbox answer that real HubSpot could not give.
 *
 * openapi-backend finds the operation; the schemas are compiled by Ajv by reference into the spec
 * document. (Dereferencing first, as openapi-backend's own validator does, inlines the recursive
 * list-filter schemas of the lists API and takes seconds per operation.)
 */
export class ContractValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(private readonly specs: Spec[]) {
    this.ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
    // OpenAPI 3.0 formats the specs use that JSON Schema does not know.
    for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']) this.ajv.addFormat(f, true);
    for (const s of specs) this.ajv.addSchema(s.document as object, s.file);
  }

  static async load(specDir: string): Promise<ContractValidator> {
    const specs: Spec[] = [];
    for (const file of readdirSync(specDir).filter((f) => f.endsWith('.json')).sort()) {
      const document = JSON.parse(readFileSync(join(specDir, file), 'utf8')) as Document;
      specs.push({ file, document, router: new OpenAPIRouter({ definition: document }) });
    }
    return new ContractValidator(specs);
  }

  private match(method: string, path: string): { spec: Spec; op: Operation } | undefined {
    for (const spec of this.specs) {
      const op = spec.router.matchOperation({ method, path, headers: {}, query: {} });
      if (op) return { spec, op };
    }
    return undefined;
  }

  /** The scopes the operation needs, as the spec's alternatives (any one list suffices); undefined when it names none. */
  scopesFor(method: string, path: string): string[][] | undefined {
    const security = this.match(method, path)?.op.security as Record<string, string[]>[] | undefined;
    return security?.length ? security.map((s) => Object.values(s).flat()) : undefined;
  }

  private validator(spec: Spec, ref: string): ValidateFunction {
    const key = `${spec.file}#${ref}`;
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile({ $ref: key });
      this.compiled.set(key, v);
    }
    return v;
  }

  private errors(v: ValidateFunction, data: unknown, prefix: string): string[] {
    if (v(data)) return [];
    return (v.errors ?? []).slice(0, 5).map((e) => `${prefix} ${e.instancePath || '/'} ${e.message}`);
  }

  /** Violations of this exchange, as readable lines; empty when HubSpot would have accepted and answered it so. */
  check(x: RecordedExchange): string[] {
    const found = this.match(x.method, x.path);
    const where = `${x.method.toUpperCase()} ${x.path}`;
    if (!found) return [`${where}: no such operation in HubSpot's specs`];
    const { spec, op } = found;
    const opPointer = `/paths/${pointer(op.path)}/${op.method}`;
    const problems: string[] = [];

    // Query parameters: every one sent must be declared, every required one must be there.
    // (Their types are not checked: the specs describe arrays and booleans in ways HubSpot reads loosely.)
    const queryParams = ((op.parameters ?? []) as { in?: string; name?: string; required?: boolean; $ref?: string }[]).filter((p) => p.in === 'query');
    const names = new Set(queryParams.map((p) => p.name));
    for (const name of Object.keys(x.query ?? {})) if (!names.has(name)) problems.push(`${where} request: query parameter "${name}" is not in the spec`);
    for (const p of queryParams) if (p.required && !(p.name! in (x.query ?? {}))) problems.push(`${where} request: required query parameter "${p.name}" is missing`);

    const content = (op.requestBody as { content?: Record<string, unknown> } | undefined)?.content;
    const contentType = String(x.headers['content-type'] ?? 'application/json').split(';')[0]!;
    if (content && x.body !== undefined) {
      const mediaType = content[contentType] ? contentType : Object.keys(content)[0]!;
      problems.push(...this.errors(this.validator(spec, `${opPointer}/requestBody/content/${pointer(mediaType)}/schema`), x.body, `${where} request`));
    } else if ((op.requestBody as { required?: boolean } | undefined)?.required && x.body === undefined) {
      problems.push(`${where} request: body is required`);
    }

    const responses = (op.responses ?? {}) as Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
    const status = String(x.status);
    const declared = responses[status] ? status : responses.default ? 'default' : undefined;
    if (!declared) return [...problems, `${where} response ${status}: not a status this operation can answer`];
    if (x.status >= 200 && x.status < 300 && declared === 'default') problems.push(`${where} response ${status}: not a documented success status`);
    const response = responses[declared]!;
    const base = response.$ref ? response.$ref.slice(1) : `${opPointer}/responses/${declared}`;
    const media = response.$ref ? undefined : response.content;
    const mediaType = media ? Object.keys(media)[0] : undefined;
    const hasSchema = response.$ref || (mediaType && media?.[mediaType]?.schema);
    if (hasSchema && x.responseBody !== undefined) {
      const resolvedMedia = response.$ref ? this.responseMedia(spec, response.$ref) : mediaType;
      if (resolvedMedia) problems.push(...this.errors(this.validator(spec, `${base}/content/${pointer(resolvedMedia)}/schema`), x.responseBody, `${where} response ${status}`));
    }
    return problems;
  }

  private responseMedia(spec: Spec, ref: string): string | undefined {
    const parts = ref.replace(/^#\//, '').split('/');
    let node: unknown = spec.document;
    for (const p of parts) node = (node as Record<string, unknown>)?.[p.replace(/~1/g, '/').replace(/~0/g, '~')];
    const content = (node as { content?: Record<string, { schema?: unknown }> })?.content ?? {};
    return Object.keys(content).find((k) => content[k]?.schema);
  }
}
