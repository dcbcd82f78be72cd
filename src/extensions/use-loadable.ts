import { useCallback, useEffect, useState } from 'react';
import type { Loadable } from './load-states.js';

/** Runs `load` on mount and on `reload()`, exposing loading, error and ready states. */
export function useLoadable<T>(load: () => Promise<T>): [Loadable<T>, () => void] {
  const [state, setState] = useState<Loadable<T>>({ kind: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    load().then(
      (data) => { if (live) setState({ kind: 'ready', data }); },
      (err: Error) => { if (live) setState({ kind: 'error', reason: err.message }); },
    );
    return () => { live = false; };
  }, [round]); // `load` is a fresh closure each render; reloading is driven by `round` only.
  return [state, useCallback(() => setRound((r) => r + 1), [])];
}
