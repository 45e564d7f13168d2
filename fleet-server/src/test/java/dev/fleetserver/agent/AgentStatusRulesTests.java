package dev.fleetserver.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every rule of Fleet's agent status and their order. Documents are written with times relative to "now" ({@code
 * <-6m>} is six minutes ago); the policy {@code p} has an inactivity timeout of one hour, {@code q} none.
 */
class AgentStatusRulesTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Pattern RELATIVE = Pattern.compile("<(-?\\d+)([smhd])>");

    private final AgentStatusRules rules = new AgentStatusRules(Map.of("p", 3600L, "q", 0L));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            a healthy agent                           | {'active':true,'policy_id':'p','policy_revision_idx':3,'enrolled_at':'<-2d>','last_checkin':'<-10s>','last_checkin_status':'online'} | ONLINE
            active absent counts as enrolled          | {'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>'}                                  | ONLINE
            starting is online                        | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','last_checkin_status':'starting'} | ONLINE
            status error                              | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','last_checkin_status':'error'} | ERROR
            status ERROR in upper case                | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','last_checkin_status':'ERROR'} | ERROR
            status degraded                           | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','last_checkin_status':'degraded'} | DEGRADED
            status DEGRADED as Elastic Agent sends it | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','last_checkin_status':'DEGRADED'} | DEGRADED
            unenrolling beats error                   | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','last_checkin_status':'error','unenrollment_started_at':'<-5s>'} | UNENROLLING
            never checked in but has a revision       | {'active':true,'policy_id':'p','policy_revision_idx':3,'enrolled_at':'<-10s>'}                       | ENROLLING
            enrolling beats unenrolling               | {'active':true,'policy_id':'p','policy_revision_idx':3,'enrolled_at':'<-10s>','unenrollment_started_at':'<-5s>'} | ENROLLING
            no revision acknowledged yet              | {'active':true,'policy_id':'p','enrolled_at':'<-10s>'}                                             | UPDATING
            a null revision (just reassigned)         | {'active':true,'policy_id':'p','policy_revision_idx':null,'last_checkin':'<-10s>'}                  | UPDATING
            an upgrade in progress                    | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','upgrade_started_at':'<-1m>'} | UPDATING
            a finished upgrade                        | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','upgrade_started_at':'<-1m>','upgraded_at':'<-30s>'} | ONLINE
            an upgrade with upgraded_at null          | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','upgrade_started_at':'<-1m>','upgraded_at':null} | UPDATING
            updating beats error                      | {'active':true,'policy_id':'p','last_checkin':'<-10s>','last_checkin_status':'error'}              | UPDATING
            last checkin just over five minutes ago   | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-301s>'}                    | OFFLINE
            last checkin exactly five minutes ago     | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-300s>'}                    | ONLINE
            offline beats updating                    | {'active':true,'policy_id':'p','last_checkin':'<-10m>'}                                            | OFFLINE
            enrolled long ago and never checked in    | {'active':true,'policy_id':'p','policy_revision_idx':3,'enrolled_at':'<-10m>'}                       | OFFLINE
            no dates at all                           | {'active':true,'policy_id':'p','policy_revision_idx':3}                                            | ENROLLING
            uninstalled                               | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10m>','audit_unenrolled_reason':'uninstall'} | UNINSTALLED
            orphaned                                  | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10m>','audit_unenrolled_reason':'orphaned'} | ORPHANED
            another audit reason changes nothing      | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>','audit_unenrolled_reason':'key_revoked'} | ONLINE
            beyond the policy's inactivity timeout    | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-2h>'}                      | INACTIVE
            inactive beats uninstalled                | {'active':true,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-2h>','audit_unenrolled_reason':'uninstall'} | INACTIVE
            inactive counted from enrollment          | {'active':true,'policy_id':'p','enrolled_at':'<-2h>'}                                              | INACTIVE
            a policy without timeout is only offline  | {'active':true,'policy_id':'q','policy_revision_idx':3,'last_checkin':'<-2d>'}                      | OFFLINE
            an unknown policy is only offline         | {'active':true,'policy_id':'x','policy_revision_idx':3,'last_checkin':'<-2d>'}                      | OFFLINE
            no policy is only offline                 | {'active':true,'policy_revision_idx':3,'last_checkin':'<-2d>'}                                     | OFFLINE
            unenrolled                                | {'active':false,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-10s>'}                     | UNENROLLED
            unenrolled beats inactive                 | {'active':false,'policy_id':'p','policy_revision_idx':3,'last_checkin':'<-2d>','audit_unenrolled_reason':'uninstall'} | UNENROLLED
            """)
    void statusFollowsFleetsRulesInOrder(String title, String document, AgentStatus expected) {
        assertThat(rules.statusOf(document(document), NOW)).isEqualTo(expected);
    }

    @Test
    void moreThan750PoliciesWithTimeoutsMarkNoAgentInactive() {
        Map<String, Long> timeouts = new HashMap<>();
        for (int i = 0; i < 751; i++) {
            timeouts.put("policy-" + i, 60L);
        }
        ObjectNode longGone =
                document("{'active':true,'policy_id':'policy-1','policy_revision_idx':1,'last_checkin':'<-1d>'}");

        assertThat(new AgentStatusRules(timeouts).statusOf(longGone, NOW)).isEqualTo(AgentStatus.OFFLINE);
        timeouts.remove("policy-750");
        assertThat(new AgentStatusRules(timeouts).statusOf(longGone, NOW)).isEqualTo(AgentStatus.INACTIVE);
    }

    @Test
    void datesWithOffsetsAndFractionsAreRead() {
        ObjectNode agent = document("{'active':true,'policy_id':'p','policy_revision_idx':1,"
                + "'last_checkin':'2026-03-01T12:59:58.123456+01:00'}");

        assertThat(rules.statusOf(agent, NOW)).isEqualTo(AgentStatus.ONLINE);
        assertThat(rules.statusOf(agent, NOW.plus(Duration.ofMinutes(6)))).isEqualTo(AgentStatus.OFFLINE);
    }

    @Test
    void wireNamesAreLowerCaseAndRoundTrip() {
        for (AgentStatus status : AgentStatus.values()) {
            assertThat(AgentStatus.fromWireName(status.wireName())).isEqualTo(status);
        }
        assertThat(AgentStatus.UNENROLLING.wireName()).isEqualTo("unenrolling");
        assertThat(AgentStatus.fromWireName("healthy")).isNull();
    }

    private static ObjectNode document(String singleQuoted) {
        Matcher m = RELATIVE.matcher(singleQuoted.replace('\'', '"'));
        StringBuilder json = new StringBuilder();
        while (m.find()) {
            long amount = Long.parseLong(m.group(1));
            Duration unit = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            m.appendReplacement(json, NOW.plus(unit.multipliedBy(amount)).toString());
        }
        m.appendTail(json);
        return (ObjectNode) JSON.readTree(json.toString());
    }
}
