package dev.ofsync.sink.client;

/** A field of a table as Feishu lists it. */
public record FieldInfo(String fieldId, String name, int type, boolean primary) {}
