package dev.brownout.state.testservers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * Certificates for TLS tests, made in this JVM with the JDK alone (no OpenSSL, no keytool process,
 * no network) in a few milliseconds: a certificate authority, a server certificate for {@code
 * 127.0.0.1} and {@code localhost}, and a client certificate, both signed by it, EC P-256, valid
 * for two days. Each is written in the forms servers and clients want: PEM files for {@code
 * redis-server} ({@code tls-cert-file}, {@code tls-key-file}, {@code tls-ca-cert-file}), PKCS12
 * keystores for Java clients.
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.create(Files.createTempDirectory("tls"));
 * // redis-server --tls-cert-file certs.serverCertificate() --tls-key-file certs.serverKey() ...
 * // client: truststore certs.caCertificate(), keystore certs.clientKeystore() / PASSWORD
 * }</pre>
 */
public final class TestCertificates {
  /** The password of every keystore made here. */
  public static final String PASSWORD = "changeit";

  private static final byte[] ECDSA_WITH_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);
  private static final byte[] COMMON_NAME = oid(2, 5, 4, 3);
  private static final byte[] BASIC_CONSTRAINTS = oid(2, 5, 29, 19);
  private static final byte[] SUBJECT_ALT_NAME = oid(2, 5, 29, 17);

  private final Path dir;
  private final SecureRandom random = new SecureRandom();

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** Makes the authority and the server and client certificates in {@code dir}. */
  public static TestCertificates create(Path dir) {
    TestCertificates certs = new TestCertificates(dir);
    try {
      certs.make();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the test certificates", e);
    }
    return certs;
  }

  /** The authority's certificate, PEM: what both sides trust. */
  public Path caCertificate() {
    return dir.resolve("ca.pem");
  }

  /** The server's certificate, PEM, for {@code 127.0.0.1} and {@code localhost}. */
  public Path serverCertificate() {
    return dir.resolve("server.pem");
  }

  /** The server's private key, PEM (PKCS#8). */
  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** A PKCS12 keystore with the client's key and certificate chain ({@link #PASSWORD}). */
  public Path clientKeystore() {
    return dir.resolve("client.p12");
  }

  /** A PKCS12 truststore holding the authority's certificate ({@link #PASSWORD}). */
  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  private void make() throws IOException, GeneralSecurityException {
    Files.createDirectories(dir);
    KeyPair ca = keyPair();
    X509Certificate caCertificate =
        certificate("brownout-test-ca", ca, "brownout-test-ca", ca.getPrivate(), true, false);
    Files.writeString(caCertificate(), pem("CERTIFICATE", caCertificate.getEncoded()));
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", caCertificate);
    store(trust, truststore());

    KeyPair server = keyPair();
    X509Certificate serverCertificate =
        certificate("localhost", server, "brownout-test-ca", ca.getPrivate(), false, true);
    Files.writeString(serverCertificate(), pem("CERTIFICATE", serverCertificate.getEncoded()));
    Files.writeString(serverKey(), pem("PRIVATE KEY", server.getPrivate().getEncoded()));

    KeyPair client = keyPair();
    X509Certificate clientCertificate =
        certificate(
            "brownout-test-client", client, "brownout-test-ca", ca.getPrivate(), false, false);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "client",
        client.getPrivate(),
        PASSWORD.toCharArray(),
        new Certificate[] {clientCertificate, caCertificate});
    store(keys, clientKeystore());
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** An X.509 v3 certificate, DER-encoded by hand: the JDK can parse and sign, not build one. */
  private X509Certificate certificate(
      String subject,
      KeyPair keys,
      String issuer,
      PrivateKey signer,
      boolean authority,
      boolean localNames)
      throws GeneralSecurityException {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    byte[] algorithm = sequence(ECDSA_WITH_SHA256);
    byte[] extensions;
    if (authority) {
      extensions =
          extension(BASIC_CONSTRAINTS, true, sequence(tlv(0x01, new byte[] {(byte) 0xff})));
    } else if (localNames) {
      // iPAddress [7] 127.0.0.1, dNSName [2] localhost
      extensions =
          extension(
              SUBJECT_ALT_NAME,
              false,
              sequence(
                  tlv(0x87, new byte[] {127, 0, 0, 1}),
                  tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII))));
    } else {
      extensions = extension(BASIC_CONSTRAINTS, true, sequence());
    }
    byte[] tbs =
        sequence(
            tlv(0xa0, tlv(0x02, new byte[] {2})),
            tlv(0x02, new BigInteger(64, random).add(BigInteger.ONE).toByteArray()),
            algorithm,
            name(issuer),
            sequence(time(now.minusHours(1)), time(now.plusDays(2))),
            name(subject),
            keys.getPublic().getEncoded(),
            tlv(0xa3, sequence(extensions)));
    Signature signature = Signature.getInstance("SHA256withECDSA");
    signature.initSign(signer);
    signature.update(tbs);
    byte[] signed = signature.sign();
    byte[] bits = new byte[signed.length + 1];
    System.arraycopy(signed, 0, bits, 1, signed.length);
    byte[] der = sequence(tbs, algorithm, tlv(0x03, bits));
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  private static byte[] name(String commonName) {
    return sequence(
        tlv(0x31, sequence(COMMON_NAME, tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
  }

  private static byte[] time(ZonedDateTime time) {
    return tlv(
        0x17,
        time.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'"))
            .getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] extension(byte[] oid, boolean critical, byte[] value) {
    return critical
        ? sequence(oid, tlv(0x01, new byte[] {(byte) 0xff}), tlv(0x04, value))
        : sequence(oid, tlv(0x04, value));
  }

  private static byte[] oid(int... arcs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(arcs[0] * 40 + arcs[1]);
    for (int i = 2; i < arcs.length; i++) {
      int arc = arcs[i];
      int shift = 28;
      while (shift > 0 && (arc >> shift) == 0) {
        shift -= 7;
      }
      for (; shift > 0; shift -= 7) {
        out.write(0x80 | ((arc >> shift) & 0x7f));
      }
      out.write(arc & 0x7f);
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] sequence(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return tlv(0x30, out.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = value.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length & 0xff);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static void store(KeyStore store, Path file)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, PASSWORD.toCharArray());
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
