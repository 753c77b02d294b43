package dev.hivewall.cli;

import picocli.CommandLine;

/** {@code hivewall --version}: the version from the jar manifest (set by the build). */
public final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {
      "hivewall " + (version == null ? "(development build)" : version),
      "java "
          + Runtime.version()
          + ", "
          + System.getProperty("os.name")
          + " "
          + System.getProperty("os.version")
    };
  }
}
