import type { Store } from '../../src/store/store.js';

/** Wraps a real store and remembers every key any call named, so a test can say what a request touched. */
export function recordingStore(inner: Store) {
  const touched: string[] = [];
  const note = (arg: unknown) => {
    if (typeof arg === 'string') touched.push(arg);
    else if (Array.isArray(arg)) for (const a of arg) note(Array.isArray(a) ? a[0] : a);
    // writeMany's operations name their key as `set` or `push`.
    else if (arg && typeof arg === 'object') note((arg as { set?: string; push?: string }).set ?? (arg as { push?: string }).push);
  };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        note(args[0]);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, touched, clear: () => { touched.length = 0; } };
}
