package dev.hivewall.testing.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that needs root and the kernel (BPF, netns, TC). Without them it FAILS with the reason;
 * only {@code -Dhivewall.unprivileged=true} leaves it out (reported as skipped).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("privileged")
@ExtendWith(PrivilegedExtension.class)
public @interface Privileged {}
