import { z } from 'zod';
import { PermanentError, TransientError } from '../queue/errors.js';

const tokenAnswer = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  expires_in: z.number(),
  hub_id: z.number().optional(),
  scopes: z.array(z.string()).optional(),
});

export type TokenAnswer = z.infer<typeof tokenAnswer>;

export interface OAuthClientOptions { baseUrl: string; clientId: string; clientSecret: string; redirectUri: string }

/** HubSpot's token endpoint (POST /oauth/v3/token, form body). Needs no access token, so no rate bucket. */
export class OAuthClient {
  constructor(private readonly o: OAuthClientOptions) {}

  exchangeCode(code: string): Promise<TokenAnswer> {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: this.o.redirectUri });
  }

  /** Who installed: HubSpot's access-token info names the user the token was issued to. */
  async tokenInfo(accessToken: string): Promise<{ userId: number; user: string | null }> {
    const res = await fetch(`${this.o.baseUrl}/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    const body = (await res.json().catch(() => ({}))) as { user_id?: unknown; user?: unknown };
    if (!res.ok || typeof body.user_id !== 'number') throw new TransientError(`HubSpot access-token info answered ${res.status}`);
    return { userId: body.user_id, user: typeof body.user === 'string' ? body.user : null };
  }

  refresh(refreshToken: string): Promise<TokenAnswer> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async token(params: Record<string, string>): Promise<TokenAnswer> {
    let res: Response;
    try {
      res = await fetch(`${this.o.baseUrl}/oauth/v3/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ ...params, client_id: this.o.clientId, client_secret: this.o.clientSecret }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new TransientError(`HubSpot token endpoint unreachable: ${(err as Error).message}`);
    }
    const body: unknown = await res.json().catch(() => ({}));
    if (res.status === 429 || res.status >= 500) throw new TransientError(`HubSpot token endpoint answered ${res.status}`);
    if (!res.ok) throw new PermanentError(`HubSpot refused the token request (${res.status}): ${(body as { message?: string }).message ?? 'no message'}`);
    const parsed = tokenAnswer.safeParse(body);
    if (!parsed.success) throw new PermanentError('HubSpot token answer lacks access_token, refresh_token or expires_in');
    return parsed.data;
  }
}
