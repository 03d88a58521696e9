package dev.ofsync.emulator.store;

import java.util.LinkedHashMap;
import java.util.Set;

/** A Bitable app (a "base"): its token, the apps that may use it, and its tables in creation order. */
public final class Base {
  final String appToken;
  final String name;
  final Set<String> apps;
  final LinkedHashMap<String, Table> tables = new LinkedHashMap<>();

  Base(String appToken, String name, Set<String> apps) {
    this.appToken = appToken;
    this.name = name;
    this.apps = java.util.concurrent.ConcurrentHashMap.newKeySet();
    this.apps.addAll(apps);
  }

  public String appToken() {
    return appToken;
  }
}
