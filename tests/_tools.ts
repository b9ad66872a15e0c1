// Optional tools and inputs, probed once per test file: a test that needs
// one this machine lacks is declared `ignore` (the run reports it ignored,
// with the reason printed), never passed after an early return.

// True when an executable `name` is on PATH (no shell, no child process).
export function onPath(name: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    try {
      const st = Deno.statSync(`${dir}/${name}`);
      if (st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0) return true;
    } catch { /* not here */ }
  }
  return false;
}

// True when `path` exists.
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

// Returns `ok`; when false, prints which tests are ignored and why.
export function available(ok: boolean, ignoring: string): boolean {
  if (!ok) console.log(`ignoring ${ignoring}`);
  return ok;
}
