package dev.ofsync.emulator.store;

import static dev.ofsync.emulator.api.ErrorCodes.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ofsync.emulator.api.ApiException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the JSON of a written cell into what the table stores, refusing what does not fit the field
 * the way Feishu does, and turns a stored cell back into the JSON Feishu answers with.
 *
 * <p>Stored forms: text, phone, single select: String; number: Double (the service keeps doubles);
 * date: Long (ms since epoch, UTC); checkbox: Boolean; multi select: List of String; url: {@link
 * UrlCell}; user, attachment, link, location, group chat: the JSON as sent.
 */
final class CellCodec {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Pattern PHONE = Pattern.compile("[+0-9()\\- ]{1,64}");
  static final Set<String> NUMBER_FORMATTERS = Set.of(
      "0", "0.0", "0.00", "0.000", "0.0000", "1,000", "1,000.00", "%", "0%", "0.00%");
  static final Set<String> DATE_FORMATTERS = Set.of(
      "yyyy/MM/dd", "yyyy/MM/dd HH:mm", "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "MM-dd", "MM/dd/yyyy",
      "dd/MM/yyyy");

  /** A url cell. */
  record UrlCell(String text, String link) {}

  private CellCodec() {}

  /** The stored form of {@code value} for {@code field}; null clears the cell. */
  static Object decode(Field field, JsonNode value, int maxTextChars, boolean strict) {
    if (value == null || value.isNull()) {
      return null;
    }
    FieldType type = field.type;
    if (!type.writable()) {
      throw ApiException.of(WRONG_REQUEST_BODY,
          "field '" + field.name + "' is a " + type.uiType() + " field, computed by Bitable: it cannot be written");
    }
    if (!strict) {
      return lenient(type, value, maxTextChars);
    }
    switch (type) {
      case TEXT:
        return text(field, value, maxTextChars, TEXT_CONV_FAIL);
      case PHONE: {
        String s = text(field, value, maxTextChars, PHONE_CONV_FAIL);
        if (!PHONE.matcher(s).matches()) {
          throw conv(PHONE_CONV_FAIL, field, "a phone number (digits, + - ( ) and spaces, at most 64)", value);
        }
        return s;
      }
      case NUMBER: {
        if (!value.isNumber()) {
          throw conv(NUMBER_CONV_FAIL, field, "a JSON number", value);
        }
        double d = value.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw conv(NUMBER_CONV_FAIL, field, "a number within double range", value);
        }
        return d;
      }
      case SINGLE_SELECT:
        if (!value.isTextual()) {
          throw conv(SINGLE_SELECT_CONV_FAIL, field, "a string (the option's name)", value);
        }
        return value.textValue();
      case MULTI_SELECT: {
        if (!value.isArray()) {
          throw conv(MULTI_SELECT_CONV_FAIL, field, "an array of option names", value);
        }
        List<String> options = new ArrayList<>(value.size());
        for (JsonNode item : value) {
          if (!item.isTextual()) {
            throw conv(MULTI_SELECT_CONV_FAIL, field, "an array of option names", value);
          }
          options.add(item.textValue());
        }
        return Collections.unmodifiableList(options);
      }
      case DATE_TIME:
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
          throw conv(DATETIME_CONV_FAIL, field, "an integer: milliseconds since 1970-01-01T00:00:00Z", value);
        }
        return value.longValue();
      case CHECKBOX:
        if (!value.isBoolean()) {
          throw conv(CHECKBOX_CONV_FAIL, field, "true or false", value);
        }
        return value.booleanValue();
      case URL: {
        JsonNode link = value.get("link");
        JsonNode text = value.get("text");
        if (!value.isObject() || link == null || !link.isTextual() || (text != null && !text.isTextual() && !text.isNull())) {
          throw conv(URL_CONV_FAIL, field, "an object {\"text\": string, \"link\": string}", value);
        }
        return new UrlCell(text == null || text.isNull() ? link.textValue() : text.textValue(), link.textValue());
      }
      case USER:
      case GROUP_CHAT:
        requireArrayOfObjectsWith(field, value, "id", USER_CONV_FAIL);
        return value.deepCopy();
      case ATTACHMENT:
        requireArrayOfObjectsWith(field, value, "file_token", ATTACHMENT_CONV_FAIL);
        return value.deepCopy();
      case SINGLE_LINK:
      case DUPLEX_LINK: {
        int code = type == FieldType.SINGLE_LINK ? LINK_CONV_FAIL : DUPLEX_LINK_CONV_FAIL;
        if (!value.isArray()) {
          throw conv(code, field, "an array of record ids", value);
        }
        for (JsonNode item : value) {
          if (!item.isTextual()) {
            throw conv(code, field, "an array of record ids", value);
          }
        }
        return value.deepCopy();
      }
      case LOCATION:
        if (!value.isTextual()) {
          throw conv(WRONG_REQUEST_BODY, field, "a string \"longitude,latitude\"", value);
        }
        return value.textValue();
      default:
        throw new IllegalStateException("unhandled writable type " + type);
    }
  }

  /** With strict cell types off: keep what was sent, turning scalars into the field's form where they can be. */
  private static Object lenient(FieldType type, JsonNode value, int maxTextChars) {
    switch (type) {
      case TEXT:
      case PHONE:
      case SINGLE_SELECT:
      case LOCATION: {
        String s = value.isTextual() ? value.textValue() : value.toString();
        return s.length() > maxTextChars ? s.substring(0, maxTextChars) : s;
      }
      case NUMBER:
        return value.isNumber() ? value.doubleValue() : null;
      case DATE_TIME:
        return value.canConvertToLong() ? value.longValue() : null;
      case CHECKBOX:
        return value.asBoolean();
      default:
        return value.deepCopy();
    }
  }

  private static String text(Field field, JsonNode value, int maxTextChars, int code) {
    if (!value.isTextual()) {
      throw conv(code, field, "a string", value);
    }
    String s = value.textValue();
    int chars = s.length() <= maxTextChars ? s.length() : s.codePointCount(0, s.length()); // UTF-16 units >= characters
    if (chars > maxTextChars) {
      throw ApiException.of(CELL_TOO_LARGE, "TooLargeCell: field '" + field.name + "' got " + chars
          + " characters; a cell holds at most " + maxTextChars);
    }
    return replaceLoneSurrogates(s);
  }

  /** The service stores text as UTF-8 and replaces what UTF-8 cannot hold (lone surrogates) with U+FFFD. */
  private static String replaceLoneSurrogates(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lone;
      if (Character.isHighSurrogate(c)) {
        lone = i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (!lone) {
          if (out != null) {
            out.append(c).append(s.charAt(i + 1));
          }
          i++;
          continue;
        }
      } else {
        lone = Character.isLowSurrogate(c);
      }
      if (lone && out == null) {
        out = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (out != null) {
        out.append(lone ? '\uFFFD' : c);
      }
    }
    return out == null ? s : out.toString();
  }

  private static void requireArrayOfObjectsWith(Field field, JsonNode value, String key, int code) {
    if (!value.isArray()) {
      throw conv(code, field, "an array of objects with \"" + key + "\"", value);
    }
    for (JsonNode item : value) {
      if (!item.isObject() || !item.path(key).isTextual()) {
        throw conv(code, field, "an array of objects with \"" + key + "\"", value);
      }
    }
  }

  private static ApiException conv(int code, Field field, String expected, JsonNode got) {
    String shown = got.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 77) + "...";
    }
    return ApiException.of(code, fieldConvName(code) + ": field '" + field.name + "' ("
        + field.type.uiType() + ") expects " + expected + ", got " + shown);
  }

  private static String fieldConvName(int code) {
    switch (code) {
      case TEXT_CONV_FAIL: return "TextFieldConvFail";
      case NUMBER_CONV_FAIL: return "NumberFieldConvFail";
      case SINGLE_SELECT_CONV_FAIL: return "SingleSelectFieldConvFail";
      case MULTI_SELECT_CONV_FAIL: return "MultiSelectFieldConvFail";
      case DATETIME_CONV_FAIL: return "DatetimeFieldConvFail";
      case CHECKBOX_CONV_FAIL: return "CheckboxFieldConvFail";
      case USER_CONV_FAIL: return "UserFieldConvFail";
      case LINK_CONV_FAIL: return "LinkFieldConvFail";
      case URL_CONV_FAIL: return "URLFieldConvFail";
      case ATTACHMENT_CONV_FAIL: return "AttachFieldConvFail";
      case PHONE_CONV_FAIL: return "PhoneFieldConvFail";
      case DUPLEX_LINK_CONV_FAIL: return "DuplexLinkFieldConvFail";
      default: return "WrongRequestBody";
    }
  }

  /**
   * The JSON Feishu answers for a stored cell. Search answers text as rich-text segments ({@code
   * [{"text": ..., "type": "text"}]}); list answers plain strings unless asked for segments.
   */
  static JsonNode encode(FieldType type, Object stored, boolean textAsSegments) {
    switch (type) {
      case TEXT: {
        String s = (String) stored;
        if (!textAsSegments) {
          return JSON.textNode(s);
        }
        ArrayNode segments = JSON.arrayNode();
        segments.addObject().put("text", s).put("type", "text");
        return segments;
      }
      case PHONE:
      case SINGLE_SELECT:
      case LOCATION:
        return stored instanceof String ? JSON.textNode((String) stored) : (JsonNode) stored;
      case NUMBER:
        return JSON.numberNode((Double) stored);
      case DATE_TIME:
        return JSON.numberNode((Long) stored);
      case CHECKBOX:
        return JSON.booleanNode((Boolean) stored);
      case MULTI_SELECT: {
        if (stored instanceof JsonNode) {
          return (JsonNode) stored;
        }
        ArrayNode out = JSON.arrayNode();
        for (Object o : (List<?>) stored) {
          out.add((String) o);
        }
        return out;
      }
      case URL: {
        if (stored instanceof JsonNode) {
          return (JsonNode) stored;
        }
        UrlCell url = (UrlCell) stored;
        ObjectNode out = JSON.objectNode();
        out.put("link", url.link()).put("text", url.text());
        return out;
      }
      default:
        return stored instanceof JsonNode ? (JsonNode) stored : JSON.pojoNode(stored);
    }
  }

  /** A plain Java value of a stored cell, for dumps: strings, doubles, longs, booleans, lists, maps. */
  static Object plain(Object stored) {
    if (stored instanceof UrlCell) {
      UrlCell url = (UrlCell) stored;
      return java.util.Map.of("text", url.text(), "link", url.link());
    }
    if (stored instanceof JsonNode) {
      return JsonPlain.toPlain((JsonNode) stored);
    }
    return stored;
  }
}
