import assert from "node:assert/strict";
import { UsageError } from "../tb/cli_args.ts";
import { buildReport, REPORT_HELP, reportMain } from "../tb/report_command.ts";
import { collectReport, type ReportData } from "../tb/report_data.ts";
import { defaultGoldenDir, goldenFiles } from "../tb/verify_command.ts";

const VECTORS = goldenFiles(defaultGoldenDir()).length;

async function run(args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  try {
    return { code: await reportMain(args), out };
  } finally {
    console.log = orig;
  }
}

// ---- rendering in a real browser ----------------------------------------

function findChromium(): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch { /* not here */ }
    }
  }
  return null;
}

const CHROMIUM = findChromium();
if (CHROMIUM === null) {
  console.log(
    "report_test: chromium not found on PATH; the headless render tests are skipped",
  );
}

async function chromium(
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  const profile = await Deno.makeTempDir({ prefix: "tsolab-chromium-" });
  try {
    const r = await new Deno.Command(CHROMIUM!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        "--enable-logging=stderr",
        "--v=0",
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000), // a hung browser fails the test instead of the run
    }).output();
    const dec = new TextDecoder();
    return { stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

function consoleLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /CONSOLE|Uncaught/.test(l));
}

function svgs(html: string): string[] {
  return html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [];
}

Deno.test("tsolab report over the golden vectors", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "tsolab-report-" });
  try {
    const path = `${dir}/report.html`;
    const r = await run(["-o", path]);
    const html = await Deno.readTextFile(path);

    await t.step(
      "writes one HTML file with the verify table, stage utilisation, throughput and PCIe sections",
      () => {
        assert.equal(r.code, 0, r.out.join("\n"));
        assert.match(
          r.out.at(-1)!,
          new RegExp(
            `^report: wrote .*report\\.html \\(\\d+ bytes, 16 charts\\); ${VECTORS} vectors: ${VECTORS} passed, 0 failed`,
          ),
        );
        for (const id of ["verify", "utilisation", "throughput", "pcie"]) {
          assert.ok(html.includes(`<section id="${id}">`), `section ${id}`);
        }
        // every golden vector has a row; none fails
        assert.ok(html.includes(`<td class="name">tcp4-vxlan6-csum</td>`));
        assert.ok(html.includes(`<td class="name">gso-partial-vxlan4</td>`));
        assert.ok(!html.includes(`class="fail"`));
      },
    );

    await t.step(
      "draws at least four SVG charts, each with a title, axis labels with units and a legend",
      () => {
        const charts = svgs(html);
        // 11 preset/mode utilisation charts, 3 sweeps, PCIe reads and writes
        assert.equal(charts.length, 16);
        for (const c of charts) {
          assert.match(c, /<title>[^<]+<\/title>/);
          assert.match(
            c,
            /\((?:% of run time|Gb\/s|bytes(?:, log₂ scale)?)\)</,
          );
        }
        assert.ok(html.includes("e810-100g · hw-tso: stage utilisation"));
        assert.ok(html.includes(">bottleneck</text>"));
        assert.ok(html.includes("corundum-100g: goodput against send size"));
        assert.ok(html.includes(">line rate 10 Gb/s</text>"));
        assert.ok(html.includes("PCIe effective bandwidth: DMA reads"));
        assert.ok(html.includes("PCIe effective bandwidth: DMA writes"));
        for (const link of ["Gen3 x8", "Gen3 x16", "Gen4 x16"]) {
          assert.ok(html.includes(`>${link}</text>`), link);
        }
      },
    );

    await t.step(
      "is self-contained: no external URL, no script, a policy that forbids fetching",
      () => {
        assert.doesNotMatch(html, /https?:\/\//);
        assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*(?!["']?#)/);
        assert.doesNotMatch(html, /<script|<link|<iframe|<img|@import|url\(/i);
        assert.ok(
          html.includes(
            `content="default-src 'none'; style-src 'unsafe-inline'"`,
          ),
        );
      },
    );

    await t.step({
      name:
        "chromium renders it: the DOM has the sections and the charts, the console stays silent",
      ignore: CHROMIUM === null,
      fn: async () => {
        const c = await chromium(["--dump-dom", `file://${path}`]);
        for (const id of ["verify", "utilisation", "throughput", "pcie"]) {
          assert.ok(
            c.stdout.includes(`<section id="${id}">`),
            `section ${id} in the DOM`,
          );
        }
        assert.equal(c.stdout.match(/<svg\b/g)?.length, 16);
        assert.deepEqual(consoleLines(c.stderr), []);
      },
    });

    await t.step({
      name:
        "chromium lays every chart out at a readable size (probed by a script in a copy)",
      ignore: CHROMIUM === null,
      fn: async () => {
        // The report runs no script (its policy forbids it); a copy gets one
        // that measures the charts and writes the result into the title.
        const probe = `<script>
const s = [...document.querySelectorAll("svg.chart")];
const ok = s.filter((e) => { const b = e.getBoundingClientRect(); return b.width >= 300 && b.height >= 200 && e.querySelectorAll("text").length >= 8; });
document.title = "charts=" + s.length + " laid-out=" + ok.length;
</script>`;
        const copy = html
          .replace(
            "default-src 'none';",
            "default-src 'none'; script-src 'unsafe-inline';",
          )
          .replace("</body>", `${probe}\n</body>`);
        await Deno.writeTextFile(`${dir}/probe.html`, copy);
        const c = await chromium([
          "--window-size=1280,1000",
          "--dump-dom",
          `file://${dir}/probe.html`,
        ]);
        assert.match(c.stdout, /<title>charts=16 laid-out=16<\/title>/);
        assert.deepEqual(consoleLines(c.stderr), []);
      },
    });

    await t.step({
      name: "chromium takes a screenshot of it",
      ignore: CHROMIUM === null,
      fn: async () => {
        const png = `${dir}/report.png`;
        const c = await chromium([
          "--hide-scrollbars",
          "--window-size=1280,2400",
          `--screenshot=${png}`,
          `file://${path}`,
        ]);
        const bytes = await Deno.readFile(png);
        assert.deepEqual([...bytes.subarray(0, 8)], [
          0x89,
          0x50,
          0x4e,
          0x47,
          0x0d,
          0x0a,
          0x1a,
          0x0a,
        ]);
        assert.ok(
          bytes.length > 50_000,
          `a screenshot with content (${bytes.length} bytes)`,
        );
        assert.deepEqual(consoleLines(c.stderr), []);
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the PCIe curves show the saw-tooth: bandwidth drops one byte past a multiple of MPS", () => {
  const d = collectReport({ goldenFiles: [], presets: [], now: new Date(0) });
  assert.equal(d.pcie.length, 6);
  for (const c of d.pcie) {
    const at = new Map(c.points);
    assert.ok(at.get(257)! < at.get(256)!, `Gen${c.gen} x${c.lanes} ${c.dir}`);
    assert.ok(at.get(513)! < at.get(512)!);
    assert.ok(at.get(8192)! > at.get(64)!);
  }
});

Deno.test("buildReport shows a failing vector as FAIL with its first divergence, escaped", () => {
  const base = collectReport({
    goldenFiles: [],
    presets: ["82599-10g"],
    bytesPerPoint: 1 << 16,
    now: new Date(0),
  });
  const data: ReportData = {
    ...base,
    verify: [{
      name: "bad<vector>",
      gsoSize: 1448,
      superPackets: 1,
      segments: 2,
      frames: 2,
      sw: { status: "pass", detail: "" },
      hw: {
        status: "fail",
        detail: "frame 1 segment 1: tcp.seq expected 0x1 got 0x2 <&>",
      },
      lockstep: "fail",
      cyclesPerByte: 0.5,
    }],
  };
  const html = buildReport(data);
  assert.equal(buildReport(data), html);
  assert.ok(html.includes("bad&lt;vector&gt;"));
  assert.ok(
    html.includes(
      "<summary>FAIL</summary><pre>frame 1 segment 1: tcp.seq expected 0x1 got 0x2 &lt;&amp;&gt;</pre>",
    ),
  );
  assert.ok(html.includes("1 failing"));
  assert.ok(html.includes("82599-10g · hw-tso: stage utilisation"));
});

Deno.test("report --help prints the usage with an example", async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0);
  assert.equal(r.out.join("\n"), REPORT_HELP);
  assert.match(
    REPORT_HELP,
    /tsolab report \[-o FILE\.html\] \[--golden DIR\] \[--config FILE\.json\]\n +\[--set key=value …\] \[--json\]/,
  );
  assert.ok(REPORT_HELP.includes("Example:\n  deno task tsolab report"));
});

Deno.test("report refuses unknown options, stray arguments, an empty golden folder and an unwritable output", async () => {
  await assert.rejects(run(["--bogus"]), UsageError);
  await assert.rejects(run(["extra.html"]), UsageError);
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      run(["--golden", dir, "-o", `${dir}/r.html`]),
      (e: Error) =>
        e instanceof UsageError && /no golden vectors/.test(e.message),
    );
    await assert.rejects(run(["--golden", `${dir}/missing`]), UsageError);
    await assert.rejects(
      run(["-o", `${dir}/no/such/dir/r.html`]),
      (e: Error) => e instanceof UsageError && /cannot write/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report --json prints the file, the verify counts and the data behind the charts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await run(["--json", "-o", `${dir}/r.html`]);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out.join("\n"));
    assert.equal(j.output, `${dir}/r.html`);
    assert.ok(VECTORS >= 46, `only ${VECTORS} golden vectors found`);
    assert.equal(j.vectors, VECTORS);
    assert.equal(j.failed, 0);
    assert.equal(j.skipped, 1);
    assert.equal(j.charts, 16);
    assert.equal(j.data.stages.length, 11);
    assert.equal(j.bytes, (await Deno.stat(`${dir}/r.html`)).size);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
