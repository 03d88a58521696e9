package dev.ofsync.source.schema;

/** Something wrong with a table's settings, attached to the setting a user should change. */
public record TableProblem(String field, String message) {}
