package dev.ofsync.it;

import java.nio.file.Path;

/** Where the checkout and its build output are, as Failsafe passes them (see this module's pom). */
public final class Checkout {
  private Checkout() {}

  /** The repository root: {@code connect-configs/}, {@code docker-compose.yml}, each module's {@code target/}. */
  public static Path root() {
    return Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
  }

  public static Path connectConfigs() {
    return root().resolve("connect-configs");
  }

  /** The project's version, which names the built jars and zips. */
  public static String version() {
    String version = System.getProperty("ofsync.version");
    if (version == null) {
      throw new IllegalStateException("run through Maven (mvn verify -pl integration-tests): ofsync.version is not set");
    }
    return version;
  }
}
