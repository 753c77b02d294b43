package dev.hivewall.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.agent.model.Pod;
import dev.hivewall.core.labels.Labels;
import dev.hivewall.kvstore.EtcdUnavailableException;
import dev.hivewall.testing.etcd.EtcdProcess;
import dev.hivewall.testing.junit.LabExtension;
import dev.hivewall.testing.junit.Privileged;
import dev.hivewall.testing.lab.Lab;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * etcd with TLS (client certificates required) and with etcd's own users: nodes with the right
 * files and password join and share identities; a node without its certificate, or with a wrong
 * password, is refused at start with a message that names what to check.
 */
@Privileged
@ExtendWith(LabExtension.class)
class ClusterSecurityTest {
  @Test
  void overTlsWithClientCertificatesNodesJoinAndANodeWithoutOneIsRefused(Lab lab) throws Exception {
    try (EtcdProcess etcd = EtcdProcess.startTls()) {
      EtcdProcess.Tls t = etcd.tls();
      EtcdSecurity mutual =
          new EtcdSecurity(
              Optional.of(t.ca()),
              Optional.of(t.clientCert()),
              Optional.of(t.clientKey()),
              Optional.empty(),
              Optional.empty());
      List<AgentConfig> configs = TestCluster.configs(lab, etcd, 2, mutual);
      Node node1 = lab.own(Node.start(configs.get(0)));
      Node node2 = lab.own(Node.start(configs.get(1)));
      assertThat(etcd.endpoint()).startsWith("https://");
      sameIdentityOnBoth(node1, node2);

      EtcdSecurity caOnly =
          new EtcdSecurity(
              Optional.of(t.ca()),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty());
      AgentConfig noCert =
          configs.get(0).withCluster(withSecurity(configs.get(0).cluster().orElseThrow(), caOnly));
      assertThatThrownBy(() -> Node.start(noCert))
          .isInstanceOf(EtcdUnavailableException.class)
          .hasMessageContaining("cannot join cluster test");
    }
  }

  @Test
  void withEtcdUsersTheRightPasswordJoinsAndAWrongOneIsRefused(Lab lab) throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start()) {
      enableAuth(etcd.endpoint());
      Path dir = lab.dir("etcd-auth");
      Path good = Files.writeString(dir.resolve("password"), "s3cret\n");
      Path bad = Files.writeString(dir.resolve("wrong"), "guess\n");
      EtcdSecurity user =
          new EtcdSecurity(
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.of("hivewall"),
              Optional.of(good));
      List<AgentConfig> configs = TestCluster.configs(lab, etcd, 2, user);
      Node node1 = lab.own(Node.start(configs.get(0)));
      Node node2 = lab.own(Node.start(configs.get(1)));
      sameIdentityOnBoth(node1, node2);

      EtcdSecurity wrong =
          new EtcdSecurity(
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.of("hivewall"),
              Optional.of(bad));
      AgentConfig refused =
          configs.get(0).withCluster(withSecurity(configs.get(0).cluster().orElseThrow(), wrong));
      assertThatThrownBy(() -> Node.start(refused))
          .isInstanceOf(EtcdUnavailableException.class)
          .hasMessageContaining("etcd refused the user or password");
    }
  }

  private static void sameIdentityOnBoth(Node node1, Node node2) {
    node1.createNamespace("demo", Labels.EMPTY);
    node2.createNamespace("demo", Labels.EMPTY);
    Pod a = node1.runPod(NodeTest.pod("web", false));
    Pod b = node2.runPod(NodeTest.pod("web", false));
    assertThat(a.identity()).isEqualTo(b.identity());
    assertThat(node1.clusterHealth()).contains("ok");
  }

  private static ClusterSettings withSecurity(ClusterSettings s, EtcdSecurity security) {
    return new ClusterSettings(s.cluster(), s.node(), s.etcd(), s.nodeIp(), security);
  }

  /** root (required by etcd to enable auth) and user hivewall, read-write on /hivewall/ only. */
  private static void enableAuth(String endpoint) throws Exception {
    try (Client admin = Client.builder().endpoints(endpoint).build()) {
      Auth a = admin.getAuthClient();
      a.roleAdd(bytes("root")).get();
      a.userAdd(bytes("root"), bytes("root-pw")).get();
      a.userGrantRole(bytes("root"), bytes("root")).get();
      a.roleAdd(bytes("hivewall")).get();
      a.roleGrantPermission(
              bytes("hivewall"),
              bytes("/hivewall/"),
              bytes("/hivewall0"),
              Permission.Type.READWRITE)
          .get();
      a.userAdd(bytes("hivewall"), bytes("s3cret")).get();
      a.userGrantRole(bytes("hivewall"), bytes("hivewall")).get();
      a.authEnable().get();
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
