package dev.ofsync.emulator.junit;

import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts an emulator on a free port for a test class; before each test it restores the
 * settings it started with and resets the data:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
 *     .app("cli_test", "secret").base("bascnTest0001", "DataSync", "cli_test");
 * }</pre>
 */
public final class FeishuEmulatorExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  private final FeishuEmulator.Builder builder;
  private final EmulatorSettings pristine;
  private FeishuEmulator emulator;

  private FeishuEmulatorExtension(EmulatorSettings settings) {
    this.pristine = settings.copy();
    this.builder = FeishuEmulator.builder().settings(settings);
  }

  /** The real limits, no latency. */
  public static FeishuEmulatorExtension fast() {
    return new FeishuEmulatorExtension(EmulatorSettings.fast());
  }

  public static FeishuEmulatorExtension with(EmulatorSettings settings) {
    return new FeishuEmulatorExtension(settings);
  }

  public FeishuEmulatorExtension app(String appId, String appSecret) {
    builder.app(appId, appSecret);
    return this;
  }

  public FeishuEmulatorExtension app(String appId, String appSecret, java.util.Set<String> scopes) {
    builder.app(appId, appSecret, scopes);
    return this;
  }

  public FeishuEmulatorExtension base(String appToken, String baseTableName, String... appIds) {
    builder.base(appToken, baseTableName, appIds);
    return this;
  }

  public FeishuEmulator emulator() {
    if (emulator == null) {
      throw new IllegalStateException("the emulator starts in beforeAll; register the extension on a static field");
    }
    return emulator;
  }

  public String url() {
    return emulator().url();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    emulator = builder.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    emulator.settings().copyFrom(pristine);
    emulator.reset();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (emulator != null) {
      emulator.close();
      emulator = null;
    }
  }
}
