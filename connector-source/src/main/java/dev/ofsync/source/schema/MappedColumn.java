package dev.ofsync.source.schema;

import dev.ofsync.source.config.Identifiers;
import org.apache.kafka.connect.data.Schema;

/**
 * One table column and how it travels: its Connect schema, how its value is read, and how it
 * is compared when it pages the table ({@code keyKind} null: it cannot).
 *
 * @param selectTemplate SQL that selects it, {@code %s} standing for the quoted column name
 */
public record MappedColumn(String name, String oracleType, Schema schema, ValueReader reader, KeyKind keyKind,
    String selectTemplate) {

  public String quoted() {
    return Identifiers.quote(name);
  }

  public String selectExpression() {
    return "%s".equals(selectTemplate) ? quoted() : String.format(selectTemplate, quoted()) + " AS " + quoted();
  }
}
