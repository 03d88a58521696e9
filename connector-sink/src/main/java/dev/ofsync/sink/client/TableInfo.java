package dev.ofsync.sink.client;

/** A table of the base. */
public record TableInfo(String tableId, String name) {}
