// The manifest is rebuilt from the files and catches any file that changed,
// appeared or went missing.
import assert from "node:assert/strict";
import {
  checkManifest,
  MANIFEST_FORMAT,
  readManifest,
  updateManifest,
} from "../vectors/manifest.ts";

const GOLDEN = new URL("../vectors/golden/", import.meta.url).pathname;

Deno.test("updateManifest records each file's provenance, sha256 and counts", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.copyFileSync(`${GOLDEN}tcp4.pcapng`, `${dir}/tcp4.pcapng`);
    Deno.copyFileSync(
      `${GOLDEN}accecn-tcp4.pcapng`,
      `${dir}/accecn-tcp4.pcapng`,
    );
    const m = await updateManifest(dir);
    assert.equal(m.format, MANIFEST_FORMAT);
    assert.deepEqual(readManifest(dir), m);
    assert.deepEqual(m.files.map((f) => f.file), [
      "accecn-tcp4.pcapng",
      "tcp4.pcapng",
    ]);
    const tcp4 = m.files[1]!;
    assert.deepEqual(
      [
        tcp4.scenario,
        tcp4.origin,
        tcp4.source,
        tcp4.kernel_release,
        tcp4.super_packets,
        tcp4.segments,
        tcp4.pass_through,
      ],
      ["tcp4", "kernel", "socket", "6.18", 7, 104, 4],
    );
    assert.match(tcp4.sha256, /^[0-9a-f]{64}$/);
    assert.equal(m.files[0]!.kernel_release, null);
    assert.equal(m.total_bytes, m.files[0]!.bytes + tcp4.bytes);
    assert.deepEqual(await checkManifest(dir), []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("checkManifest reports a changed, an added and a removed file", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.copyFileSync(`${GOLDEN}tcp4.pcapng`, `${dir}/tcp4.pcapng`);
    Deno.copyFileSync(`${GOLDEN}tcp6.pcapng`, `${dir}/tcp6.pcapng`);
    await updateManifest(dir);
    const b = Deno.readFileSync(`${dir}/tcp4.pcapng`);
    b[b.length - 200]! ^= 0xff; // a payload byte of the last frame
    Deno.writeFileSync(`${dir}/tcp4.pcapng`, b);
    Deno.removeSync(`${dir}/tcp6.pcapng`);
    Deno.copyFileSync(
      `${GOLDEN}udp4-gso1200.pcapng`,
      `${dir}/udp4-gso1200.pcapng`,
    );
    const diffs = await checkManifest(dir);
    assert.ok(
      diffs.some((d) =>
        /^tcp4\.pcapng: sha256 is "[0-9a-f]+" in MANIFEST\.json, "[0-9a-f]+" in the file$/
          .test(d)
      ),
      diffs.join("\n"),
    );
    assert.ok(
      diffs.includes(
        "udp4-gso1200.pcapng: in the folder but not in MANIFEST.json",
      ),
    );
    assert.ok(
      diffs.includes("tcp6.pcapng: in MANIFEST.json but not in the folder"),
    );
    assert.ok(diffs.some((d) => d.startsWith("total_bytes is ")));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
