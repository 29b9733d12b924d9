package dev.brownout.session;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Java serialization, for applications whose session attributes are {@code Serializable} objects,
 * with an allow-list: deserialization is filtered ({@link ObjectInputFilter}) and rejects every
 * class the list does not name, so a forged or tampered record cannot instantiate arbitrary classes
 * (the lesson of Tomcat's CVE-2020-9484 and CVE-2025-24813).
 *
 * <p>The allow-list always includes the JDK's value and collection types ({@code java.lang}, {@code
 * java.util}, {@code java.time}, {@code java.math}); add the application's packages with patterns
 * in {@link ObjectInputFilter.Config#createFilter} form: {@code com.acme.cart.*} for one package,
 * {@code com.acme.**} for a package and its subpackages.
 *
 * <p>The shape of what is read is bounded too, because an allow-list of harmless classes does not
 * stop a small record from costing minutes of CPU: a 1.6 KB stream of nested {@code HashSet}s,
 * thirty deep, makes deserialization hash 2<sup>30</sup> times. By default a stream may nest
 * {@value #DEFAULT_MAX_DEPTH} objects deep, hold {@value #DEFAULT_MAX_REFERENCES} references and
 * arrays of {@value #DEFAULT_MAX_ARRAY_LENGTH} elements, and be {@value #DEFAULT_MAX_BYTES} bytes
 * long; {@link #withLimits} changes them. A stream over a limit is refused with {@link
 * SessionCodecException}, and the codec-failure policy applies. Prefer {@link JsonSessionCodec}: it
 * survives class changes, which Java serialization does not.
 */
public final class JavaSerializationCodec implements SessionCodec {
  private static final List<String> JDK =
      List.of("java.lang.*", "java.util.*", "java.time.*", "java.math.*");

  /** How deep objects may nest by default: enough for a cart of items with a few maps. */
  public static final int DEFAULT_MAX_DEPTH = 12;

  /** How many object references a stream may hold by default. */
  public static final int DEFAULT_MAX_REFERENCES = 10_000;

  /** The longest array by default. */
  public static final int DEFAULT_MAX_ARRAY_LENGTH = 100_000;

  /** The longest stream by default, in bytes. */
  public static final int DEFAULT_MAX_BYTES = 256 * 1024;

  private final List<String> allowed;
  private final int maxDepth;
  private final int maxReferences;
  private final int maxArrayLength;
  private final int maxBytes;
  private final ObjectInputFilter filter;

  private JavaSerializationCodec(
      List<String> allowed, int maxDepth, int maxReferences, int maxArrayLength, int maxBytes) {
    this.allowed = List.copyOf(allowed);
    this.maxDepth = maxDepth;
    this.maxReferences = maxReferences;
    this.maxArrayLength = maxArrayLength;
    this.maxBytes = maxBytes;
    List<String> parts = new ArrayList<>();
    parts.add(
        "maxdepth="
            + maxDepth
            + ";maxrefs="
            + maxReferences
            + ";maxarray="
            + maxArrayLength
            + ";maxbytes="
            + maxBytes);
    parts.addAll(JDK);
    parts.addAll(allowed);
    parts.add("!*");
    this.filter = ObjectInputFilter.Config.createFilter(String.join(";", parts));
  }

  /**
   * A codec that accepts the JDK's value types and the classes these patterns name.
   *
   * @param patterns such as {@code com.acme.cart.*} or {@code com.acme.**}
   * @throws IllegalArgumentException if a pattern is malformed or would allow everything
   */
  public static JavaSerializationCodec allowing(String... patterns) {
    List<String> checked = new ArrayList<>();
    for (String pattern : patterns) {
      Objects.requireNonNull(pattern, "pattern");
      String p = pattern.trim();
      if (p.isEmpty()
          || p.equals("*")
          || p.startsWith("!")
          || p.contains(";")
          || p.contains("=")
          || !p.matches("[A-Za-z_$][A-Za-z0-9_$.]*(\\.\\*\\*?|)")) {
        throw new IllegalArgumentException(
            "allow-list pattern '"
                + pattern
                + "' must be a class, a package.* or a package.** (and cannot allow everything)");
      }
      checked.add(p);
    }
    return new JavaSerializationCodec(
        checked,
        DEFAULT_MAX_DEPTH,
        DEFAULT_MAX_REFERENCES,
        DEFAULT_MAX_ARRAY_LENGTH,
        DEFAULT_MAX_BYTES);
  }

  /**
   * This codec with other bounds on what it reads.
   *
   * @param maxDepth how deep objects may nest, 1 to 64 (each level can double the work a crafted
   *     stream of sets causes)
   * @param maxReferences references in one stream, 1 to 1 000 000
   * @param maxArrayLength the longest array, 0 to 10 000 000
   * @param maxBytes the longest stream, 1 to 16 MiB
   * @throws IllegalArgumentException naming every bound out of its range
   */
  public JavaSerializationCodec withLimits(
      int maxDepth, int maxReferences, int maxArrayLength, int maxBytes) {
    List<String> problems = new ArrayList<>();
    if (maxDepth < 1 || maxDepth > 64) {
      problems.add("maxDepth must be between 1 and 64 but was " + maxDepth);
    }
    if (maxReferences < 1 || maxReferences > 1_000_000) {
      problems.add("maxReferences must be between 1 and 1000000 but was " + maxReferences);
    }
    if (maxArrayLength < 0 || maxArrayLength > 10_000_000) {
      problems.add("maxArrayLength must be between 0 and 10000000 but was " + maxArrayLength);
    }
    if (maxBytes < 1 || maxBytes > 16 * 1024 * 1024) {
      problems.add("maxBytes must be between 1 and 16777216 but was " + maxBytes);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new JavaSerializationCodec(allowed, maxDepth, maxReferences, maxArrayLength, maxBytes);
  }

  /** The bounds: depth, references, array length, bytes. */
  public List<Integer> limits() {
    return List.of(maxDepth, maxReferences, maxArrayLength, maxBytes);
  }

  /** The application's patterns, besides the JDK's. */
  public List<String> allowed() {
    return allowed;
  }

  @Override
  public String name() {
    return "java";
  }

  @Override
  public void check(String attribute, Object value) {
    if (!(value instanceof Serializable)) {
      throw new IllegalArgumentException(
          "session attribute '"
              + attribute
              + "' holds a "
              + value.getClass().getName()
              + ", which is not Serializable");
    }
    if (!allows(value.getClass())) {
      throw new IllegalArgumentException(
          "session attribute '"
              + attribute
              + "' holds a "
              + value.getClass().getName()
              + ", which the Java serialization allow-list "
              + allowed
              + " does not name, so it could not be read back; add its package");
    }
  }

  private boolean allows(Class<?> type) {
    Class<?> checked = type.isArray() ? type.getComponentType() : type;
    if (checked.isPrimitive()) {
      return true;
    }
    ObjectInputFilter.Status status =
        filter.checkInput(
            new ObjectInputFilter.FilterInfo() {
              @Override
              public Class<?> serialClass() {
                return checked;
              }

              @Override
              public long arrayLength() {
                return -1;
              }

              @Override
              public long depth() {
                return 1;
              }

              @Override
              public long references() {
                return 1;
              }

              @Override
              public long streamBytes() {
                return 0;
              }
            });
    return status == ObjectInputFilter.Status.ALLOWED;
  }

  @Override
  public byte[] encode(String attribute, Object value) {
    check(attribute, value);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new SessionCodecException(
          attribute,
          "session attribute '" + attribute + "' cannot be serialized: " + e.getMessage(),
          e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Object decode(String attribute, byte[] bytes) {
    if (bytes.length > maxBytes) {
      throw new SessionCodecException(
          attribute,
          "session attribute '"
              + attribute
              + "' is "
              + bytes.length
              + " bytes, over the codec's limit of "
              + maxBytes,
          null);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      in.setObjectInputFilter(filter);
      return in.readObject();
    } catch (InvalidClassException e) {
      throw new SessionCodecException(
          attribute,
          "session attribute '"
              + attribute
              + "' was refused or no longer matches its class: "
              + e.getMessage(),
          e);
    } catch (IOException | ClassNotFoundException | RuntimeException e) {
      throw new SessionCodecException(
          attribute, "session attribute '" + attribute + "' cannot be deserialized: " + e, e);
    }
  }
}
