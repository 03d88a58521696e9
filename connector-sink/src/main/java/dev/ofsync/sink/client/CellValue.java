package dev.ofsync.sink.client;

/** Cell values with a meaning of their own in a request body. */
public enum CellValue {
  /**
   * Clears the cell: written as JSON {@code null}. The SDK's Gson drops null map values, so a
   * plain Java null would leave the old value in place.
   */
  CLEAR
}
