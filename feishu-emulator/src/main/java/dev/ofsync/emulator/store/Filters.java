package dev.ofsync.emulator.store;

import static dev.ofsync.emulator.api.ErrorCodes.FIELD_NAME_NOT_FOUND;
import static dev.ofsync.emulator.api.ErrorCodes.INVALID_FILTER;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ofsync.emulator.api.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The search API's filter: {@code {"conjunction": "and"|"or", "conditions": [{"field_name",
 * "operator", "value": [...]}], "children": [nested groups]}}, and list's formula filter in its
 * simplest form, {@code CurrentValue.[Field]="value"}.
 */
final class Filters {
  private static final Pattern FORMULA_EQUALS =
      Pattern.compile("\\s*CurrentValue\\.\\[([^\\]]+)\\]\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?[0-9.]+))\\s*");

  private Filters() {}

  static Predicate<Row> compile(Table table, JsonNode filter) {
    if (filter == null || filter.isNull() || filter.isMissingNode()) {
      return row -> true;
    }
    if (!filter.isObject()) {
      throw invalid("filter must be an object");
    }
    List<Predicate<Row>> parts = new ArrayList<>();
    JsonNode conditions = filter.path("conditions");
    if (!conditions.isMissingNode() && !conditions.isNull()) {
      if (!conditions.isArray()) {
        throw invalid("filter.conditions must be an array");
      }
      for (JsonNode c : conditions) {
        parts.add(condition(table, c));
      }
    }
    JsonNode children = filter.path("children");
    if (!children.isMissingNode() && !children.isNull()) {
      if (!children.isArray()) {
        throw invalid("filter.children must be an array");
      }
      for (JsonNode child : children) {
        parts.add(compile(table, child));
      }
    }
    String conjunction = filter.path("conjunction").asText("and");
    if (conjunction.equals("and")) {
      return row -> parts.stream().allMatch(p -> p.test(row));
    }
    if (conjunction.equals("or")) {
      return row -> parts.isEmpty() || parts.stream().anyMatch(p -> p.test(row));
    }
    throw invalid("filter.conjunction must be \"and\" or \"or\", got \"" + conjunction + "\"");
  }

  /** list's filter formula; only {@code CurrentValue.[Field]="value"} is understood. */
  static Predicate<Row> formula(Table table, String formula) {
    if (formula == null || formula.isBlank()) {
      return row -> true;
    }
    Matcher m = FORMULA_EQUALS.matcher(formula);
    if (!m.matches()) {
      throw invalid("the emulator understands only CurrentValue.[Field]=\"value\" as a list filter; use search for more");
    }
    Field field = field(table, m.group(1));
    String expected = m.group(2) != null ? m.group(2).replace("\\\"", "\"") : m.group(3);
    return row -> equalsValue(field, row.cell(field.slot), expected);
  }

  private static Predicate<Row> condition(Table table, JsonNode c) {
    Field field = field(table, c.path("field_name").asText(null));
    String operator = c.path("operator").asText("");
    List<String> values = new ArrayList<>();
    JsonNode v = c.path("value");
    if (v.isArray()) {
      v.forEach(item -> values.add(item.asText()));
    } else if (!v.isMissingNode() && !v.isNull()) {
      throw invalid("condition value must be an array of strings");
    }
    int slot = field.slot;
    switch (operator) {
      case "isEmpty":
        return row -> isEmpty(row.cell(slot));
      case "isNotEmpty":
        return row -> !isEmpty(row.cell(slot));
      case "is":
        requireValue(operator, values);
        return row -> equalsValue(field, row.cell(slot), values.get(values.size() - 1));
      case "isNot":
        requireValue(operator, values);
        return row -> !equalsValue(field, row.cell(slot), values.get(values.size() - 1));
      case "contains":
        requireValue(operator, values);
        return row -> contains(row.cell(slot), values);
      case "doesNotContain":
        requireValue(operator, values);
        return row -> !contains(row.cell(slot), values);
      case "isGreater":
      case "isGreaterEqual":
      case "isLess":
      case "isLessEqual": {
        requireValue(operator, values);
        double bound = number(values.get(values.size() - 1));
        return row -> {
          Object cell = row.cell(slot);
          if (!(cell instanceof Number)) {
            return false;
          }
          int cmp = Double.compare(((Number) cell).doubleValue(), bound);
          switch (operator) {
            case "isGreater": return cmp > 0;
            case "isGreaterEqual": return cmp >= 0;
            case "isLess": return cmp < 0;
            default: return cmp <= 0;
          }
        };
      }
      default:
        throw invalid("unknown operator \"" + operator + "\"");
    }
  }

  private static Field field(Table table, String name) {
    Field field = name == null ? null : table.fieldsByName.get(name);
    if (field == null) {
      throw ApiException.of(FIELD_NAME_NOT_FOUND, "FieldNameNotFound: filter names field '" + name + "', which table "
          + table.id + " does not have");
    }
    return field;
  }

  private static boolean isEmpty(Object cell) {
    return cell == null || (cell instanceof String && ((String) cell).isEmpty())
        || (cell instanceof List && ((List<?>) cell).isEmpty());
  }

  private static boolean equalsValue(Field field, Object cell, String expected) {
    if (cell == null) {
      return expected == null || expected.isEmpty();
    }
    if (cell instanceof Double) {
      try {
        return ((Double) cell) == Double.parseDouble(expected);
      } catch (NumberFormatException e) {
        return false;
      }
    }
    if (cell instanceof Long) {
      try {
        return ((Long) cell) == Long.parseLong(expected);
      } catch (NumberFormatException e) {
        return false;
      }
    }
    if (cell instanceof List) {
      return ((List<?>) cell).contains(expected);
    }
    return Objects.equals(String.valueOf(CellCodec.plain(cell)), expected);
  }

  private static boolean contains(Object cell, List<String> values) {
    if (cell == null) {
      return false;
    }
    if (cell instanceof List) {
      return values.stream().anyMatch(((List<?>) cell)::contains);
    }
    String s = String.valueOf(CellCodec.plain(cell));
    return values.stream().anyMatch(s::contains);
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw invalid("comparison needs a number, got \"" + s + "\"");
    }
  }

  private static void requireValue(String operator, List<String> values) {
    if (values.isEmpty()) {
      throw invalid("operator " + operator + " needs a value");
    }
  }

  private static ApiException invalid(String why) {
    return ApiException.of(INVALID_FILTER, "InvalidFilter: " + why);
  }
}
