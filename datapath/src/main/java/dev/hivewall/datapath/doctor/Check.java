package dev.hivewall.datapath.doctor;

import dev.hivewall.datapath.host.Host;

/** One thing a node needs, checked (and set up where the doctor can) on a {@link Host}. */
public interface Check {
  String name();

  CheckResult run(Host host);
}
