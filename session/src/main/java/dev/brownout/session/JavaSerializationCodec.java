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
 * {@code com.acme.**} for a package and its subpackages. Depth, references and array lengths are
 * bounded too. Prefer {@link JsonSessionCodec}: it survives class changes, which Java serialization
 * does not.
 */
public final class JavaSerializationCodec implements SessionCodec {
  private static final List<String> JDK =
      List.of("java.lang.*", "java.util.*", "java.time.*", "java.math.*");
  private static final String LIMITS = "maxdepth=32;maxrefs=100000;maxarray=1000000";

  private final List<String> allowed;
  private final ObjectInputFilter filter;

  private JavaSerializationCodec(List<String> allowed) {
    this.allowed = List.copyOf(allowed);
    List<String> parts = new ArrayList<>();
    parts.add(LIMITS);
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
    return new JavaSerializationCodec(checked);
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
