package dev.hivewall.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module boundaries of architecture.md, checked on the compiled classes of every module. */
class ArchitectureTest {
  private static final String FFM = "dev.hivewall.ebpf.internal.ffm..";
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hivewall");
  }

  @Test
  void onlyTheFfmPackageLinksNativeCode() {
    noClasses()
        .that()
        .resideOutsideOfPackage(FFM)
        .should()
        .dependOnClassesThat()
        .areAssignableTo(Linker.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(SymbolLookup.class)
        .orShould()
        .callMethod(java.lang.foreign.MemorySegment.class, "reinterpret", long.class)
        .because(
            "native access is enabled for dev.hivewall.ebpf only, and all of it lives in one package")
        .check(classes);
  }

  @Test
  void theEbpfModuleDependsOnTheJdkOnly() {
    noClasses()
        .that()
        .resideInAPackage("dev.hivewall.ebpf..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("dev.hivewall.ebpf..", "java..")
        .check(classes);
  }

  @Test
  void theCoreIsPureJava() {
    noClasses()
        .that()
        .resideInAPackage("dev.hivewall.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.lang.foreign..",
            "dev.hivewall.ebpf..",
            "dev.hivewall.datapath..",
            "dev.hivewall.cli..",
            "dev.hivewall.testing..")
        .because("core computes; it must run and be tested without root or native code")
        .check(classes);
  }

  @Test
  void theDatapathKnowsNothingOfTheCliTestingOrBench() {
    noClasses()
        .that()
        .resideInAPackage("dev.hivewall.datapath..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.hivewall.cli..", "dev.hivewall.testing..", "dev.hivewall.bench..")
        .check(classes);
  }

  @Test
  void theProxyKnowsTheCoreAndNettyOnly() {
    noClasses()
        .that()
        .resideInAPackage("dev.hivewall.proxy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.lang.foreign..",
            "dev.hivewall.ebpf..",
            "dev.hivewall.datapath..",
            "dev.hivewall.agent..",
            "dev.hivewall.cli..",
            "dev.hivewall.testing..")
        .because("the proxy judges HTTP with core's rules; the agent wires it to the datapath")
        .check(classes);
  }

  @Test
  void noGrabBagNames() {
    classes()
        .should()
        .haveSimpleNameNotEndingWith("Utils")
        .andShould()
        .haveSimpleNameNotEndingWith("Manager")
        .andShould()
        .haveSimpleNameNotEndingWith("Helper")
        .because("names come from the domain (conventions.md)")
        .check(classes);
  }
}
