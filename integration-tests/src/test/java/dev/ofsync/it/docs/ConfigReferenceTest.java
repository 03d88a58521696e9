package dev.ofsync.it.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {
  private static ConfigDef def() {
    ConfigDef def = new ConfigDef();
    def.define("b.second", Type.INT, 5, ConfigDef.Range.between(1, 9), Importance.LOW,
        "Second of Batching.", "Batching", 2, Width.SHORT, "Second");
    def.define("c.url", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
        "A | B\nsplit line, with *stars* and <tags>.", "Connection", 1, Width.LONG, "URL");
    def.define("b.first", Type.STRING, "", Importance.MEDIUM,
        "First of Batching.", "Batching", 1, Width.SHORT, "First");
    def.define("c.secret", Type.PASSWORD, "do-not-print", Importance.HIGH,
        "A secret.", "Connection", 2, Width.MEDIUM, "Secret");
    def.define("loose", Type.LIST, List.of("x", "y"), ConfigDef.ValidList.in("x", "y", "z"), Importance.LOW, "No group.");
    def.defineInternal("internal.thing", Type.INT, 1, Importance.LOW);
    return def;
  }

  private static String render() {
    return ConfigReference.markdown(List.of(new ConfigReference.Section("Test connector", "com.example.Test", "Tests.", def())));
  }

  @Test
  void groupsComeInTheConfigDefsOrderAndKeysInTheirOrderWithinTheGroup() {
    String md = render();

    assertThat(md.indexOf("### Batching")).isLessThan(md.indexOf("### Connection"));
    assertThat(md.indexOf("### Connection")).isLessThan(md.indexOf("### Other"));
    assertThat(md.indexOf("`b.first`")).isLessThan(md.indexOf("`b.second`"));
    assertThat(md).contains("| `b.second` | int | `5` | [1,...,9] | low | Second of Batching. |");
    assertThat(md).contains("| `loose` | list | `x,y` | [x, y, z] | low | No group. |");
    assertThat(md).contains("| `b.first` | string | `\"\"` |");
  }

  @Test
  void aPasswordsDefaultIsNeverPrintedAndRequiredKeysSaySo() {
    String md = render();

    assertThat(md).doesNotContain("do-not-print");
    assertThat(md).contains("| `c.secret` | password | *(hidden)* |");
    assertThat(md).contains("| `c.url` | string | *(required)* |");
  }

  @Test
  void cellTextStaysInItsCell() {
    assertThat(render()).contains("| A \\| B split line, with \\*stars\\* and &lt;tags&gt;. |");
  }

  @Test
  void internalKeysAreLeftOut() {
    assertThat(render()).doesNotContain("internal.thing");
  }

  @Test
  void theIndexLinksToEachSectionsHeading() {
    assertThat(render()).contains("- [Test connector](#test-connector)").contains("\n## Test connector\n");
  }
}
