package dev.keel.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Profiles (one namespace each) and their contributors. */
public interface Profiles {
  /** Adds a profile; a {@link ConflictException} when the name is taken. */
  void insert(ProfileRecord profile);

  Optional<ProfileRecord> get(String name);

  /** Every profile, by name. */
  List<ProfileRecord> list();

  /** Replaces the quota; false when there is no such profile. */
  boolean setQuota(String name, String quota);

  /** Removes the profile and its contributors; false when there was none. */
  boolean delete(String name);

  /**
   * Gives {@code user} {@code role} in the profile, replacing a role they had; a {@link
   * NotFoundException} when the profile does not exist.
   */
  void putContributor(String profile, String user, String role, Instant now);

  /** Takes a user's role away; false when they had none. */
  boolean removeContributor(String profile, String user);

  /** A profile's contributors, by user name. */
  List<ContributorRecord> contributors(String profile);

  /** The roles a user has, in every profile, by profile name. */
  List<ContributorRecord> rolesOf(String user);
}
