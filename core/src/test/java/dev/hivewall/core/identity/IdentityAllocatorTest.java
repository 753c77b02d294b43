package dev.hivewall.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.core.labels.Labels;
import org.junit.jupiter.api.Test;

class IdentityAllocatorTest {
  @Test
  void sameLabelsSameIdentityUntilTheLastReleaseAndTheLowestNumberIsReused() {
    IdentityAllocator a = new IdentityAllocator();
    Labels web = Labels.of("app", "web");
    Identity first = a.allocate(web);
    assertThat(first.id()).isEqualTo(256);
    assertThat(a.allocate(web)).isEqualTo(first);
    Identity db = a.allocate(Labels.of("app", "db"));
    assertThat(db.id()).isEqualTo(257);
    a.release(first);
    assertThat(a.lookup(web)).contains(first);
    a.release(first);
    assertThat(a.lookup(web)).isEmpty();
    assertThat(a.allocate(Labels.of("app", "cache")).id()).isEqualTo(256);
    assertThatThrownBy(() -> a.release(new Identity(999)))
        .hasMessageContaining("released more often");
  }

  @Test
  void restoreKeepsNumbersAndRefusesConflicts() {
    IdentityAllocator a = new IdentityAllocator();
    a.restore(new Identity(300), Labels.of("app", "web"));
    assertThat(a.allocate(Labels.of("app", "web")).id()).isEqualTo(300);
    assertThat(a.allocate(Labels.of("app", "db")).id()).isEqualTo(256);
    assertThatThrownBy(() -> a.restore(new Identity(300), Labels.of("app", "x")))
        .hasMessageContaining("already belongs");
  }

  @Test
  void securityLabelsCarryTheNamespaceAndItsLabels() {
    Labels l = SecurityLabels.of(Labels.of("app", "web"), "shop", Labels.of("team", "blue"));
    assertThat(l.toString())
        .isEqualTo(
            "app=web,io.cilium.k8s.namespace.labels.team=blue,io.kubernetes.pod.namespace=shop");
    assertThat(SecurityLabels.namespaceLabels(l)).isEqualTo(Labels.of("team", "blue"));
  }

  @Test
  void aFullAllocatorSaysSo() {
    IdentityAllocator a = new IdentityAllocator(257);
    a.allocate(Labels.of("a", "1"));
    assertThatThrownBy(() -> a.allocate(Labels.of("a", "2")))
        .hasMessageContaining("no free label identity");
  }
}
