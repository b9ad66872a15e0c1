// The layering DESIGN.md sets, checked on Deno's own module graph (real
// imports, not doc examples): the model reaches nothing of the reference
// but its byte helpers and types, or the lockstep comparison proves
// nothing; the reference imports only itself.
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string } }[];
}

// Every module reachable from every .ts file of the folders, with its
// direct imports, as `deno info --json` resolves them.
async function graph(folders: string[]): Promise<Map<string, string[]>> {
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const lines: string[] = [];
    // Every .ts file of the folder and its subfolders (vectors/capture/…).
    const walk = (folder: string): void => {
      for (const e of Deno.readDirSync(new URL(folder, ROOT))) {
        if (e.isDirectory) walk(`${folder}${e.name}/`);
        else if (e.isFile && e.name.endsWith(".ts")) {
          lines.push(
            `import ${JSON.stringify(new URL(folder + e.name, ROOT).href)};`,
          );
        }
      }
    };
    for (const folder of folders) walk(folder);
    await Deno.writeTextFile(entry, lines.join("\n") + "\n");
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: InfoModule[];
    };
    const edges = new Map<string, string[]>();
    for (const m of info.modules) {
      if (!m.specifier.startsWith(ROOT.href)) continue;
      edges.set(
        m.specifier.slice(ROOT.href.length),
        (m.dependencies ?? []).flatMap((d) =>
          d.code?.specifier.startsWith(ROOT.href)
            ? [d.code.specifier.slice(ROOT.href.length)]
            : []
        ),
      );
    }
    return edges;
  } finally {
    await Deno.remove(entry);
  }
}

function violations(
  edges: Map<string, string[]>,
  from: string,
  allowed: (path: string) => boolean,
): string[] {
  const bad: string[] = [];
  for (const [mod, deps] of edges) {
    if (!mod.startsWith(from)) continue;
    for (const d of deps) if (!allowed(d)) bad.push(`${mod} imports ${d}`);
  }
  return bad;
}

Deno.test("hw/ imports only hw/ and the reference's byte helpers and types, directly or through them", async () => {
  const edges = await graph(["hw/"]);
  assert.ok(edges.has("hw/nic.ts") && edges.has("hw/stage_checksum.ts"));
  const shared = new Set(["sw/bytes.ts", "sw/types.ts"]);
  assert.deepEqual(
    violations(edges, "hw/", (p) => p.startsWith("hw/") || shared.has(p)),
    [],
  );
  // Everything the model reaches, transitively: no decoder, no segmenter.
  const reached = [...edges.keys()].filter((p) => !p.startsWith("hw/"));
  assert.deepEqual(reached.filter((p) => !shared.has(p)), []);
});

Deno.test("sw/ imports only sw/", async () => {
  const edges = await graph(["sw/"]);
  assert.ok(edges.has("sw/segment.ts"));
  assert.deepEqual(violations(edges, "sw/", (p) => p.startsWith("sw/")), []);
});

Deno.test("vectors/ imports only vectors/ and sw/, never the model or the harness", async () => {
  const edges = await graph(["vectors/"]);
  assert.ok(edges.has("vectors/pcapng_reader.ts"));
  assert.ok(edges.has("vectors/capture/capture_main.ts"));
  assert.deepEqual(
    violations(
      edges,
      "vectors/",
      // deno.json: the tool's version in a vector's provenance
      (p) =>
        p.startsWith("vectors/") || p.startsWith("sw/") || p === "deno.json",
    ),
    [],
  );
});
