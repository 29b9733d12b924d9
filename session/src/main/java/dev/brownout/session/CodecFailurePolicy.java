package dev.brownout.session;

/**
 * What happens when a stored attribute cannot be decoded: its class changed or went away in a
 * deploy, or it is not on the allow-list. Attributes are decoded one by one, when first read, so a
 * bad attribute never affects the others. Every failure is counted in {@code
 * brownout.session.codec_failures} and logged with the attribute's name and the reason.
 */
public enum CodecFailurePolicy {
  /** The default: the attribute reads as absent and is removed at the next save. */
  DROP_ATTRIBUTE,
  /** The whole session is invalidated: the user starts again with a new one. */
  INVALIDATE,
  /** {@code getAttribute} throws {@link SessionCodecException}. */
  FAIL
}
