// Runs a command's main function with console.log captured, for tests of
// what it prints.

/** Runs `f` with console.log lines collected; restores console.log after. */
export async function captureLog<T>(
  f: () => Promise<T>,
): Promise<{ value: T; log: string[] }> {
  const log: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => log.push(a.join(" "));
  try {
    return { value: await f(), log };
  } finally {
    console.log = orig;
  }
}
