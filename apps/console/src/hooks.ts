import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Problem } from './api';

export interface Loaded<T> {
  data: T | undefined;
  problem: Problem | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads with `load` at once and again every `everyMs` (0: once) while the page is shown: the
 * console's views follow the loop live by polling. A failed reload keeps the last data beside the problem.
 */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[], everyMs = 3000): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  const run = useCallback(() => {
    const mine = ++generation.current;
    loader.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setProblem(undefined);
        setLoading(false);
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        setProblem(toProblem(error));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    setData(undefined);
    setLoading(true);
    run();
    if (!everyMs) return () => generation.current++;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, everyMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, deps);

  return { data, problem, loading, reload: run };
}

export function toProblem(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return {
    type: 'about:blank',
    title: 'Error',
    status: 0,
    detail: error instanceof Error ? error.message : String(error),
  };
}
