import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import addFormatsModule from 'ajv-formats';
import { OpenAPIBackend, type Document, type Operation } from 'openapi-backend';

// ajv-formats ships CommonJS typings that do not line up with ESM default imports.
const addFormats = addFormatsModule as unknown as (ajv: object) => object;

export interface RecordedExchange {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status: number;
  responseBody: unknown;
}

/**
 * Checks requests and responses against HubSpot's official OpenAPI specs (shared/hubspot-openapi).
 * A request HubSpot would not route, or whose body does not fit the schema, is a violation; so is
 * a sandbox answer that real HubSpot could not give.
 */
export class ContractValidator {
  private constructor(private readonly apis: { name: string; api: OpenAPIBackend }[]) {}

  static async load(specDir: string): Promise<ContractValidator> {
    const apis = [];
    for (const file of readdirSync(specDir).filter((f) => f.endsWith('.json')).sort()) {
      const definition = JSON.parse(readFileSync(join(specDir, file), 'utf8')) as Document;
      // quick: HubSpot's published specs do not all pass openapi-backend's meta-schema check
      // (oneOf with example:null and the like), but their operations and schemas are sound.
      const api = new OpenAPIBackend({
        definition, quick: true, validate: true, strict: false, ajvOpts: { strict: false, allErrors: true },
        customizeAjv: (ajv) => addFormats(ajv) as typeof ajv,
      });
      await api.init();
      apis.push({ name: file, api });
    }
    return new ContractValidator(apis);
  }

  private match(method: string, path: string): { api: OpenAPIBackend; op: Operation } | undefined {
    for (const { api } of this.apis) {
      const op = api.router.matchOperation({ method, path, headers: {}, query: {} });
      if (op) return { api, op };
    }
    return undefined;
  }

  /** Violations of this exchange, as readable lines; empty when HubSpot would have accepted and answered it so. */
  check(x: RecordedExchange): string[] {
    const found = this.match(x.method, x.path);
    const where = `${x.method.toUpperCase()} ${x.path}`;
    if (!found) return [`${where}: no such operation in HubSpot's specs`];
    const problems: string[] = [];
    const request = { method: x.method, path: x.path, query: x.query, headers: { 'content-type': 'application/json', ...x.headers } as Record<string, string>, body: x.body };
    const req = found.api.validateRequest(request, found.op);
    if (!req.valid) problems.push(...(req.errors ?? []).map((e) => `${where} request ${e.instancePath || '/'} ${e.message}`));
    if (x.status < 300 || x.status >= 400) {
      const hasBody = x.responseBody !== undefined && x.responseBody !== '';
      if (hasBody || x.status !== 204) {
        const res = found.api.validateResponse(x.responseBody, found.op, x.status);
        if (!res.valid) problems.push(...(res.errors ?? []).slice(0, 5).map((e) => `${where} response ${x.status} ${e.instancePath || '/'} ${e.message}`));
      }
    }
    return problems;
  }
}
