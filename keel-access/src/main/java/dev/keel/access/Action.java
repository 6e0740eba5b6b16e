package dev.keel.access;

/** What a request does in a namespace, coarsely: the unit roles are granted in. */
public enum Action {
  /** Get and list anything, read logs and artifacts. */
  READ,
  /** Create, change, delete, run, terminate, retry, archive. */
  WRITE,
  /** Add and remove contributors. */
  MANAGE_CONTRIBUTORS,
  /** Delete the profile and its namespace. */
  DELETE_PROFILE
}
