package dev.brownout.core.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Authenticates {@code Authorization: Bearer <token>} against configured tokens, each with a name
 * (recorded in the audit trail) and a right. Tokens are kept only as SHA-256 digests and compared
 * in constant time, checking every token so the time taken does not say which one nearly matched.
 */
public final class BearerTokenAuthenticator implements AdminAuthenticator {
  /** The shortest token accepted. */
  public static final int MIN_TOKEN_LENGTH = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private record Entry(byte[] digest, AdminPrincipal principal) {}

  private final List<Entry> entries;

  private BearerTokenAuthenticator(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A fresh random token: 32 bytes from {@link SecureRandom}, base64url without padding. */
  public static String generateToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether no token is configured, in which case every request is refused. */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public Optional<AdminPrincipal> authenticate(AdminRequest request) {
    Optional<String> header = request.header("Authorization");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().strip();
    if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return Optional.empty();
    }
    byte[] presented = digest(value.substring(7).strip());
    AdminPrincipal found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest(), presented) && found == null) {
        found = entry.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Builds a {@link BearerTokenAuthenticator}. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    private Builder() {}

    /** A token that may read. */
    public Builder readToken(String name, String token) {
      return token(name, token, Access.READ);
    }

    /** A token that may read and change. */
    public Builder writeToken(String name, String token) {
      return token(name, token, Access.WRITE);
    }

    /**
     * A token with a right.
     *
     * @throws IllegalArgumentException if the token is shorter than {@value #MIN_TOKEN_LENGTH}
     *     characters, or is already configured
     */
    public Builder token(String name, String token, Access access) {
      Objects.requireNonNull(token, "token");
      if (token.strip().length() < MIN_TOKEN_LENGTH) {
        throw new IllegalArgumentException(
            "admin token '"
                + name
                + "' has "
                + token.strip().length()
                + " characters; use at least "
                + MIN_TOKEN_LENGTH
                + ", for example from BearerTokenAuthenticator.generateToken()");
      }
      byte[] digest = digest(token.strip());
      for (Entry entry : entries) {
        if (MessageDigest.isEqual(entry.digest(), digest)) {
          throw new IllegalArgumentException(
              "admin token '" + name + "' is the same as token '" + entry.principal().name() + "'");
        }
      }
      entries.add(new Entry(digest, new AdminPrincipal(name, access)));
      return this;
    }

    /** Builds the authenticator. */
    public BearerTokenAuthenticator build() {
      return new BearerTokenAuthenticator(entries);
    }
  }
}
