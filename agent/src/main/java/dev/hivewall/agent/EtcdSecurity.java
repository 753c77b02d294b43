package dev.hivewall.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a node proves itself to etcd and checks etcd: TLS (the CA that signed etcd's certificate, and
 * this node's certificate and PKCS#8 key when etcd asks for client certificates) and etcd's own
 * authentication (a user and a file holding its password). Everything empty: plain HTTP, no user.
 */
public record EtcdSecurity(
    Optional<Path> ca,
    Optional<Path> cert,
    Optional<Path> key,
    Optional<String> user,
    Optional<Path> passwordFile) {
  public static final EtcdSecurity NONE =
      new EtcdSecurity(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public EtcdSecurity {
    if (cert.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException(
          "--etcd-cert and --etcd-key go together: give both (this node's certificate and key)");
    }
    if (cert.isPresent() && ca.isEmpty()) {
      throw new IllegalArgumentException(
          "--etcd-cert needs --etcd-ca (the CA that signed etcd's certificate)");
    }
    if (user.isPresent() != passwordFile.isPresent()) {
      throw new IllegalArgumentException(
          "--etcd-user and --etcd-password-file go together: give both");
    }
    for (Optional<Path> f : java.util.List.of(ca, cert, key, passwordFile)) {
      if (f.isPresent() && !Files.isReadable(f.get())) {
        throw new IllegalArgumentException(f.get() + ": no such readable file");
      }
    }
  }

  public boolean tls() {
    return ca.isPresent();
  }
}
