/**
 * Typed errors of the NIC model. Invalid work that reaches the NIC is not an
 * exception but an error event (see `nic.ts`); these classes are for misuse
 * of the model itself: a bad configuration or an API called out of order.
 *
 * @module
 */
import { TsolabError } from "../sw/types.ts";

/**
 * A configuration key or value the model does not know or cannot use.
 *
 * @example
 * ```ts
 * import { HwConfigError } from "./errors.ts";
 * const e = new HwConfigError('Unknown config key "pcie.foo" from --set');
 * e.name; // "HwConfigError"
 * ```
 */
export class HwConfigError extends TsolabError {}

/**
 * The model was used in a way it does not support, for example a driver mode
 * the preset cannot run or an skb without the headers a driver needs.
 *
 * @example
 * ```ts
 * import { HwUsageError } from "./errors.ts";
 * const e = new HwUsageError('Cannot run driver "hw-tso" on preset "corundum-100g": no TSO');
 * e.name; // "HwUsageError"
 * ```
 */
export class HwUsageError extends TsolabError {}
