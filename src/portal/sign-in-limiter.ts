import type { RedisClient } from '../store/redis-client.js';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';

export interface LimitVerdict { limited: boolean; retryAfterMs: number; /** The account's wrong passwords so far (an attempt that is not limited). */ failures?: number }

/**
 * Wrong passwords per account, attempts per IP, forgot-password requests per IP: kept in Redis,
 * shared by every process. The IP budget allows a company's staff behind one address to sign in.
 */
export const SIGN_IN_LIMITS = {
  perAccount: { points: 5, duration: 15 * 60 },
  perIp: { points: 300, duration: 15 * 60 },
  forgotPerIp: { points: 20, duration: 15 * 60 },
  /** Requests for access (self-registration): per client address, and per address asked for. */
  registerPerIp: { points: 10, duration: 60 * 60 },
  registerPerAddress: { points: 3, duration: 24 * 60 * 60 },
  /** Sign-in codes asked for by email: per client address, and per address asked for. */
  codePerIp: { points: 30, duration: 15 * 60 },
  codePerAddress: { points: 5, duration: 60 * 60 },
};
export type SignInLimits = typeof SIGN_IN_LIMITS;

const isLimit = (err: unknown): err is RateLimiterRes => typeof (err as RateLimiterRes)?.msBeforeNext === 'number';

/**
 * Brute force stopped by rate-limiter-flexible: wrong passwords count per account (whether or not
 * the account exists, so the limit says nothing about existence), every attempt per IP.
 */
export class SignInLimiter {
  private readonly account: RateLimiterAbstract;
  private readonly ip: RateLimiterAbstract;
  private readonly forgot: RateLimiterAbstract;
  private readonly registerIp: RateLimiterAbstract;
  private readonly registerAddress: RateLimiterAbstract;
  private readonly codeIp: RateLimiterAbstract;
  private readonly codeAddress: RateLimiterAbstract;

  constructor(redis?: RedisClient, private readonly limits: SignInLimits = SIGN_IN_LIMITS) {
    const make = (keyPrefix: string, o: { points: number; duration: number }) => (redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `app:portal-rate:${keyPrefix}`, ...o })
      : new RateLimiterMemory({ keyPrefix, ...o }));
    this.account = make('account', limits.perAccount);
    this.ip = make('ip', limits.perIp);
    this.forgot = make('forgot', limits.forgotPerIp);
    this.registerIp = make('register-ip', limits.registerPerIp);
    this.registerAddress = make('register-address', limits.registerPerAddress);
    this.codeIp = make('code-ip', limits.codePerIp);
    this.codeAddress = make('code-address', limits.codePerAddress);
  }

  /** Counts an attempt from this IP and says whether the IP or the account is over its limit. */
  async attempt(ip: string, accountKey: string): Promise<LimitVerdict> {
    // Both at once (one wait for Redis, not two); the IP's count is taken either way.
    const [overIp, state] = await Promise.all([
      this.ip.consume(ip).then(() => null, (err: unknown) => { if (isLimit(err)) return err; throw err; }),
      this.account.get(accountKey),
    ]);
    if (overIp) return { limited: true, retryAfterMs: overIp.msBeforeNext };
    if (state && state.consumedPoints >= this.limits.perAccount.points) return { limited: true, retryAfterMs: state.msBeforeNext };
    return { limited: false, retryAfterMs: 0, failures: state?.consumedPoints ?? 0 };
  }

  async failed(accountKey: string): Promise<void> {
    await this.account.penalty(accountKey, 1);
  }

  async succeeded(accountKey: string): Promise<void> {
    await this.account.delete(accountKey);
  }

  async forgotRequest(ip: string): Promise<LimitVerdict> {
    return consume(this.forgot, ip);
  }

  /** A request for access: counted for the client address, then for the address asked for (whether or not it qualifies). */
  async registerRequest(ip: string, addressKey: string): Promise<LimitVerdict> {
    const byIp = await consume(this.registerIp, ip);
    return byIp.limited ? byIp : consume(this.registerAddress, addressKey);
  }

  /** A sign-in code asked for: counted for the client address, then for the address (whether or not it has an account). */
  async codeRequest(ip: string, addressKey: string): Promise<LimitVerdict> {
    const byIp = await consume(this.codeIp, ip);
    return byIp.limited ? byIp : consume(this.codeAddress, addressKey);
  }
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<LimitVerdict> {
  try {
    await limiter.consume(key);
    return { limited: false, retryAfterMs: 0 };
  } catch (err) {
    if (isLimit(err)) return { limited: true, retryAfterMs: err.msBeforeNext };
    throw err;
  }
}
