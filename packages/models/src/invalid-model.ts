/** `over_limit`: the file passes one of ONNX_SIGNATURE_LIMITS (far beyond real models) */
export type InvalidModelReason = 'empty_file' | 'not_a_model' | 'truncated' | 'no_graph' | 'no_inputs' | 'over_limit';

/** The bytes are not a model this package can read; `message` says what is wrong in words a user can act on. */
export class InvalidModelError extends Error {
  override name = 'InvalidModelError';
  readonly reason: InvalidModelReason;

  constructor(reason: InvalidModelReason, message: string) {
    super(message);
    this.reason = reason;
  }
}
