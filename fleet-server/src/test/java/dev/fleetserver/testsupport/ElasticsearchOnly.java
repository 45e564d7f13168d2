package dev.fleetserver.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A test (or class) that checks something only the Elasticsearch store has (index re-creation, {@code .fleet-secrets},
 * several servers on one store, Elasticsearch's API-key metadata). It runs when {@link TestStore#current()} is
 * Elasticsearch and is reported as skipped, with {@link #value() the reason}, in the embedded run.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ElasticsearchOnly.Condition.class)
public @interface ElasticsearchOnly {

    /** Why the test means nothing on the embedded store. */
    String value();

    final class Condition implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getElement()
                    .flatMap(element -> AnnotationSupport.findAnnotation(element, ElasticsearchOnly.class))
                    .filter(annotation -> TestStore.current() == TestStore.EMBEDDED)
                    .map(annotation -> ConditionEvaluationResult.disabled("Elasticsearch only: " + annotation.value()))
                    .orElseGet(() -> ConditionEvaluationResult.enabled("runs on " + TestStore.current()));
        }
    }
}
