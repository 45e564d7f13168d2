package dev.fleetserver.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTests {

    @ParameterizedTest
    @CsvSource(textBlock = """
            /api/status,                                   STATUS
            /api/fleet/agents/enroll,                      ENROLL
            /api/fleet/agents/foo,                         ENROLL
            /api/fleet/agents/a1/checkin,                  CHECKIN
            /api/fleet/agents/a1/acks,                     ACKS
            /api/fleet/agents/a1/audit/unenroll,           AUDIT_UNENROLL
            /api/fleet/artifacts/endpoint-list/abc,        ARTIFACTS
            /api/fleet/uploads,                            UPLOAD_START
            /api/fleet/uploads/u1,                         UPLOAD_END
            /api/fleet/uploads/u1/3,                       UPLOAD_CHUNK
            /api/fleet/file/f1,                            DELIVER_FILE
            /api/agents/upgrades/9.5.0/pgp-public-key,     GET_PGP_KEY
            /v1/opamp,                                     OPAMP
            """)
    void recognisesUpstreamsRoutes(String path, Route route) {
        assertThat(Route.of(path)).contains(route);
    }

    @ParameterizedTest
    @CsvSource({"/", "/api", "/api/status/", "/api/fleet/agents", "/api/fleet/agents/a1/checkin/x", "/metrics", "/error"
    })
    void otherPathsHaveNoRoute(String path) {
        assertThat(Route.of(path)).isEmpty();
    }
}
