package dev.fleetserver;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The package rules of the project, enforced: a wrong import fails the build, not a review. */
class ArchitectureTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.fleetserver");

    @Test
    void featuresNeverImportAStorageAdapter() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.fleetserver.store..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.fleetserver.store.elasticsearch..", "dev.fleetserver.store.embedded..")
                .check(CLASSES);
    }

    @Test
    void storageAdaptersDoNotDependOnEachOther() {
        noClasses()
                .that()
                .resideInAPackage("dev.fleetserver.store.elasticsearch..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.fleetserver.store.embedded..")
                .check(CLASSES);
        noClasses()
                .that()
                .resideInAPackage("dev.fleetserver.store.embedded..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.fleetserver.store.elasticsearch..")
                .allowEmptyShould(true)
                .check(CLASSES);
    }

    @Test
    void servicesKnowNothingOfHttp() {
        noClasses()
                .that()
                .haveSimpleNameEndingWith("Service")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.fleetserver.web..", "jakarta.servlet..", "org.springframework.web..")
                .check(CLASSES);
    }

    @Test
    void configDependsOnNoOtherFeature() {
        noClasses()
                .that()
                .resideInAPackage("dev.fleetserver.config..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.fleetserver.auth..",
                        "dev.fleetserver.health..",
                        "dev.fleetserver.metrics..",
                        "dev.fleetserver.store..",
                        "dev.fleetserver.web..")
                .check(CLASSES);
    }

    @Test
    void featurePackagesAreFreeOfCycles() {
        // Each package is its own slice: adapters (store.elasticsearch) implement features' ports and use the
        // shared storage types (store), which features use too; that is not a cycle.
        slices().matching("dev.fleetserver.(**)").should().beFreeOfCycles().check(CLASSES);
    }
}
