/**
 * The error of a capture comparison over frames cut by the snap length.
 *
 * @module
 */

import type { Frame } from "../sw/types.ts";
import { UsageError } from "./cli_args.ts";

/**
 * A capture to compare holds a frame cut by the snap length: without its
 * bytes neither the frame nor the segments made of it can be compared, and
 * going on would blame the device for the capture. A usage error (exit 2).
 *
 * @example
 * ```ts
 * import { CaptureTruncatedError } from "./capture_truncated_error.ts";
 * const e = new CaptureTruncatedError("in.pcap", {
 *   number: 4, data: new Uint8Array(200), origLen: 7306, timestampNs: 0n,
 *   interfaceId: 0, linkType: 1, fileOffset: 880,
 * });
 * e.message; // "in.pcap: frame 4 at offset 880: captured 200 of 7306 bytes (snap length): comparing needs whole frames; capture with -s 0"
 * ```
 */
export class CaptureTruncatedError extends UsageError {
  /**
   * @param path The capture.
   * @param frame The first frame cut short.
   */
  constructor(path: string, frame: Frame) {
    super(
      `${path}: frame ${frame.number} at offset ${frame.fileOffset}: captured ${frame.data.length} of ${frame.origLen} bytes (snap length): comparing needs whole frames; capture with -s 0`,
    );
    this.name = "CaptureTruncatedError";
  }
}
