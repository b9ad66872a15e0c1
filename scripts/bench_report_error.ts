/**
 * The error `bench_ratios.ts` throws when the bench could not run or its
 * report cannot be read.
 *
 * @module
 */
import { TsolabError } from "../sw/types.ts";

/**
 * The bench report is missing, unreadable or lacks a bench the targets
 * are stated over. The message names the bench or what failed.
 *
 * @example
 * ```ts
 * import { BenchReportError } from "./bench_report_error.ts";
 * const e = new BenchReportError("Cannot read the bench report: no bench named checksum/65536");
 * e.name; // "BenchReportError"
 * ```
 */
export class BenchReportError extends TsolabError {}
