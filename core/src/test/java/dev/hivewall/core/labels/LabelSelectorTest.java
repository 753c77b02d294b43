package dev.hivewall.core.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hivewall.core.labels.LabelSelector.Operator;
import dev.hivewall.core.labels.LabelSelector.Requirement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {
  static final Labels WEB = Labels.of("app", "web", "tier", "front");

  @Test
  void matchLabelsAndExpressionsAreAnded() {
    assertThat(LabelSelector.ALL.matches(WEB)).isTrue();
    assertThat(LabelSelector.matchLabels("app", "web").matches(WEB)).isTrue();
    assertThat(LabelSelector.matchLabels("app", "db").matches(WEB)).isFalse();
    assertThat(sel(new Requirement("tier", Operator.In, Set.of("front", "back"))).matches(WEB))
        .isTrue();
    assertThat(sel(new Requirement("tier", Operator.NotIn, Set.of("front"))).matches(WEB))
        .isFalse();
    assertThat(sel(new Requirement("env", Operator.NotIn, Set.of("prod"))).matches(WEB))
        .as("absent key")
        .isTrue();
    assertThat(sel(new Requirement("app", Operator.Exists, Set.of())).matches(WEB)).isTrue();
    assertThat(sel(new Requirement("app", Operator.DoesNotExist, Set.of())).matches(WEB)).isFalse();
    assertThat(
            new LabelSelector(
                    Map.of("app", "web"),
                    List.of(new Requirement("tier", Operator.In, Set.of("back"))))
                .matches(WEB))
        .isFalse();
  }

  @Test
  void badRequirementsAndLabelsAreRefused() {
    assertThatThrownBy(() -> new Requirement("a", Operator.In, Set.of()))
        .hasMessageContaining("needs at least one value");
    assertThatThrownBy(() -> new Requirement("a", Operator.Exists, Set.of("x")))
        .hasMessageContaining("takes no values");
    assertThatThrownBy(() -> Labels.of("-bad", "x"))
        .hasMessageContaining("label key '-bad' is invalid");
    assertThatThrownBy(() -> Labels.of("k", "has space"))
        .hasMessageContaining("label value 'has space'");
    assertThat(Labels.parse("b=2,a=1").toString()).isEqualTo("a=1,b=2");
  }

  private static LabelSelector sel(Requirement r) {
    return new LabelSelector(Map.of(), List.of(r));
  }
}
