package dev.keel.core;

import java.net.InetAddress;

/**
 * Who drives a piece of work: {@code keel@<host>:<pid>}, the id a process writes into the store
 * before it acts on a run or an experiment, so that another process can tell a live owner from one
 * that died.
 */
public final class Owners {
  private Owners() {}

  /** This process. */
  public static String current() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "localhost";
    }
    return "keel@" + host + ":" + ProcessHandle.current().pid();
  }

  /** Whether {@code owner} names a process on this host, other than this one, that has ended. */
  public static boolean isDeadLocal(String owner) {
    String mine = current();
    int colon = owner.lastIndexOf(':');
    if (colon < 0 || !owner.substring(0, colon).equals(mine.substring(0, mine.lastIndexOf(':')))) {
      return false;
    }
    try {
      long pid = Long.parseLong(owner.substring(colon + 1));
      return pid != ProcessHandle.current().pid()
          && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
