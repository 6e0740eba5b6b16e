package dev.keel.access;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import java.util.List;
import java.util.Locale;

/**
 * A contributor's role in a namespace, as Kubeflow's access management (KFAM) names them: {@code
 * view} reads, {@code edit} also creates and changes work, {@code admin} also manages contributors.
 * A profile's owner is its admin and, alone with cluster admins, may delete it.
 */
public enum Role {
  VIEW,
  EDIT,
  ADMIN;

  /** The name used on the command line, in the store and by KFAM ({@code view|edit|admin}). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Kubeflow's cluster role this role stands for ({@code kubeflow-view}, ...). */
  public String clusterRole() {
    return "kubeflow-" + id();
  }

  /** Whether this role allows {@code action}. */
  public boolean allows(Action action) {
    return switch (action) {
      case READ -> true;
      case WRITE -> this != VIEW;
      case MANAGE_CONTRIBUTORS -> this == ADMIN;
      case DELETE_PROFILE -> false; // the owner's and cluster admins' alone
    };
  }

  /** Parses {@code view|edit|admin} (or {@code kubeflow-view}, ...); else names the field. */
  public static Role parse(String field, String text) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (t.startsWith("kubeflow-")) {
      t = t.substring("kubeflow-".length());
    }
    for (Role r : values()) {
      if (r.id().equals(t)) {
        return r;
      }
    }
    throw new ValidationException(
        List.of(Problem.at(field, "'%s' is not a role; use view, edit or admin", text)));
  }
}
