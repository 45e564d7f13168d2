package dev.fleetserver.management;

import java.util.Set;

/**
 * Who made a management request: an operator key's id and what it may do.
 *
 * @param id the key's id (never its secret), e.g. for {@code updated_by}
 */
public record Operator(String id, Set<Privilege> privileges) {

    public Operator {
        privileges = Set.copyOf(privileges);
    }

    public boolean holdsAnyOf(Privilege... wanted) {
        for (Privilege privilege : wanted) {
            if (privileges.contains(privilege)) {
                return true;
            }
        }
        return false;
    }
}
