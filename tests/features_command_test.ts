import assert from "node:assert/strict";
import { resolveConfig } from "../hw/resolve_config.ts";
import { NETIF_F } from "../sw/netdev_features.ts";
import { featuresMain } from "../tb/features_command.ts";
import { presetDevice } from "../tb/preset_device.ts";
import { UsageError } from "../tb/cli_args.ts";

async function run(args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  try {
    return { code: await featuresMain(args), out };
  } finally {
    console.log = orig;
  }
}

Deno.test("presetDevice() advertises what each preset offloads", () => {
  const e810 = presetDevice(resolveConfig("e810-100g"));
  for (
    const f of [
      NETIF_F.TSO,
      NETIF_F.TSO6,
      NETIF_F.GSO_UDP_L4,
      NETIF_F.GSO_UDP_TUNNEL_CSUM,
    ]
  ) {
    assert.notEqual(e810.features & f, 0n);
  }
  const ixgbe = presetDevice(resolveConfig("82599-10g"));
  assert.notEqual(ixgbe.features & NETIF_F.TSO6, 0n);
  assert.equal(ixgbe.features & NETIF_F.GSO_UDP_TUNNEL, 0n);
  const corundum = presetDevice(resolveConfig("corundum-100g"));
  assert.equal(corundum.features & NETIF_F.TSO, 0n);
  assert.notEqual(corundum.features & NETIF_F.HW_CSUM, 0n);
});

Deno.test("features prints ethtool -k lines with [fixed] and the size limits", async () => {
  const r = await run(["--preset", "corundum-100g"]);
  assert.equal(r.code, 0);
  assert.equal(r.out[0], "Features for corundum-100g:");
  assert.ok(r.out.includes("\ttx-tcp-segmentation: off [fixed]"));
  assert.ok(r.out.includes("gso_max_size: 65536"));
  assert.ok(r.out.includes("tso_max_segs: 65535"));
});

Deno.test("features -K sg off says what else turned off and why", async () => {
  const r = await run(["-K", "sg", "off"]);
  assert.equal(r.code, 0);
  assert.ok(
    r.out.includes("tx-tcp-segmentation: off (requires tx-scatter-gather)"),
    r.out.join("\n"),
  );
  assert.ok(
    r.out.includes("tx-generic-segmentation: off (requires tx-scatter-gather)"),
  );
});

Deno.test("features refuses a gso_max_size above tso_max_size as EINVAL", async () => {
  await assert.rejects(() => run(["--gso-max-size", "300000"]), UsageError);
  const r = await run([
    "--tso-max-size",
    "524280",
    "--gso-max-size",
    "200000",
    "--json",
  ]);
  const j = JSON.parse(r.out[0]!);
  assert.equal(j.limits.gso_max_size, 200000);
  assert.ok(
    j.features.some((f: { name: string; on: boolean }) =>
      f.name === "tx-tcp-segmentation" && f.on
    ),
  );
});

Deno.test("features refuses a gso_max_size or gso_ipv4_max_size below MAX_TCP_HEADER + 1 as ERANGE", async () => {
  for (const opt of ["--gso-max-size", "--gso-ipv4-max-size"]) {
    for (const n of ["0", "192"]) {
      await assert.rejects(
        () => run([opt, n]),
        (e: unknown) =>
          e instanceof UsageError && e.message.includes(`to ${n}:`) &&
          e.message.includes("below the minimum of 193") &&
          !e.message.includes("\n"),
        `${opt} ${n}`,
      );
    }
  }
  const r = await run(["--gso-max-size", "193", "--json"]);
  const j = JSON.parse(r.out[0]!);
  assert.equal(j.limits.gso_max_size, 193);
  assert.equal(j.limits.gso_ipv4_max_size, 193);
});
