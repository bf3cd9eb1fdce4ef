// JSON configuration with nlohmann-json, without exceptions (link ProxyWasm::json, or
// proxy_wasm_add_plugin(... JSON)).
//
//   struct Config { std::string header = "x-a"; int limit = 10; };
//   void from_json(const proxy_wasm::Json& j, Config& c) {
//     proxy_wasm::jsonField(j, "header", c.header);                        // required
//     proxy_wasm::jsonField(j, "limit", c.limit, proxy_wasm::JsonOptional); // keeps 10 when absent
//   }
//   bool onConfigure(size_t) override {
//     auto config = proxy_wasm::pluginConfigurationAs<Config>(*this);   // Result<Config>
//     if (!config) return false;   // already logged: "plugin configuration: /limit: expected ..."
//     ...
//   }
//
// Errors never trap: a syntax error is Status::ParseFailure and a log line naming the line and
// column; a field of the wrong type or a missing required field is Status::ParseFailure and a
// log line naming its JSON pointer (/limit). Read fields with jsonField in from_json.
// Text that is not the plugin's own (a request body): tryParseJson, which logs nothing.
//
// Size: parse with these functions, not Json::parse, and avoid Json::dump() where size
// matters: then no printf, no serializer and one parser instantiation are linked (docs/json.md).
//
// nlohmann-json's own throwing calls (j.at("missing"), j.get<int>() on a string) cannot
// return a status: with this header they are a fatal plugin error, proxy_wasm::fatal(), the
// SDK's one mechanism: a critical log line "nlohmann::json threw: <what>", then a trap. The
// same natively (the mock host records the trap in the running callback) and in any engine.
// Include this header before (or instead of) <nlohmann/json.hpp>.
#pragma once

#if defined(INCLUDE_NLOHMANN_JSON_HPP_) && !defined(PROXY_WASM_JSON_THROW_CONFIGURED)
#error "include <proxy_wasm/json.h> before <nlohmann/json.hpp>: it configures nlohmann-json to report errors through proxy_wasm::fatal()"
#endif
#if defined(PROXY_WASM_JSON_MISSING_NLOHMANN)
#error "proxy_wasm/json.h needs nlohmann-json (apt-get install nlohmann-json3-dev), then reconfigure"
#endif

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "proxy_wasm/context.h"
#include "proxy_wasm/log.h"
#include "proxy_wasm/status.h"

// nlohmann-json without exceptions: a throw is proxy_wasm::fatal() with what() said.
#define PROXY_WASM_JSON_THROW_CONFIGURED 1
#ifndef JSON_NOEXCEPTION
#define JSON_NOEXCEPTION 1
#endif
#undef JSON_THROW_USER
#undef JSON_TRY_USER
#undef JSON_CATCH_USER
#define JSON_THROW_USER(exception) ::proxy_wasm::fatal("nlohmann::json threw: ", (exception).what())
#define JSON_TRY_USER if (true)
#define JSON_CATCH_USER(exception) if (false)
#include <nlohmann/json.hpp>

namespace proxy_wasm {

using Json = nlohmann::json;

}  // namespace proxy_wasm

// Size: nlohmann's lexer formats the control characters of a syntax error's "last read: '...'"
// with snprintf ("<U+000A>"), which links all of printf (about 11 kB of a .wasm). For the input
// every parse here reads (a char range, which is also what nlohmann::json::parse(const char*,
// const char*) reads), the same text without printf (tests/sdk/json_test.cc pins it, natively
// and in each toolchain's .wasm). Known versions only: the member is private, its shape theirs.
#if NLOHMANN_JSON_VERSION_MAJOR == 3 && NLOHMANN_JSON_VERSION_MINOR == 11
NLOHMANN_JSON_NAMESPACE_BEGIN
namespace detail {
template <>
inline std::string lexer<::proxy_wasm::Json, iterator_input_adapter<const char*>>::get_token_string() const {
  std::string result;
  for (const auto c : token_string) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x1F) {  // a control character: <U+00XX>, upper-case hex
      constexpr char kHex[] = "0123456789ABCDEF";
      result.append("<U+00").append(1, kHex[byte >> 4]).append(1, kHex[byte & 0xF]).append(1, '>');
    } else {
      result.push_back(static_cast<char>(c));
    }
  }
  return result;
}
}  // namespace detail
NLOHMANN_JSON_NAMESPACE_END
#endif

namespace proxy_wasm {

/// jsonField's last argument.
enum JsonPresence : bool { JsonRequired = true, JsonOptional = false };

namespace detail {
/// The error of the parse in progress (jsonField records into it; parseJsonAs reports it).
/// It lives on parseJsonAs's stack; the runtime points at it while the parse runs.
struct JsonErrors {
  std::string first;     ///< "/a/b: expected a string, got number"
  std::string pointer;   ///< JSON pointer of the object being read
};
inline JsonErrors* activeJsonErrors() { return static_cast<JsonErrors*>(runtime().json_errors); }

// Outside parseJsonAs (a from_json called directly) nothing is recorded: jsonField's result
// is the only answer.
inline void jsonError(std::string_view key, std::string_view message) {
  JsonErrors* e = activeJsonErrors();
  if (!e || !e->first.empty()) return;  // the first error is the one to fix
  e->first.append(e->pointer).append("/").append(key).append(": ").append(message);
}

template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};

inline const char* jsonTypeName(const Json& j) { return j.type_name(); }

/// Reads `value` into `out` when its type fits; false (with the reason) otherwise.
template <class T>
bool jsonRead(const Json& value, T& out, std::string& why) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) return why = std::string("expected a boolean, got ") + jsonTypeName(value), false;
    out = value.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    // The numbers are printed with std::to_string (what dump() prints for an integer), so no
    // plugin links nlohmann's serializer just for an error message.
    if (value.is_number_unsigned()) {
      const auto v = value.get<uint64_t>();
      if (v > static_cast<uint64_t>(std::numeric_limits<T>::max()))
        return why = "out of range: " + std::to_string(v), false;
      out = static_cast<T>(v);
    } else if (value.is_number_integer()) {
      const auto v = value.get<int64_t>();
      if constexpr (std::is_unsigned_v<T>) {
        if (v < 0) return why = "expected a non-negative integer, got " + std::to_string(v), false;
      } else {
        if (v < static_cast<int64_t>(std::numeric_limits<T>::min()) || v > static_cast<int64_t>(std::numeric_limits<T>::max()))
          return why = "out of range: " + std::to_string(v), false;
      }
      out = static_cast<T>(v);
    } else {
      return why = std::string("expected an integer, got ") + jsonTypeName(value), false;
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!value.is_number()) return why = std::string("expected a number, got ") + jsonTypeName(value), false;
    out = value.get<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!value.is_string()) return why = std::string("expected a string, got ") + jsonTypeName(value), false;
    out = value.get_ref<const std::string&>();
  } else if constexpr (std::is_same_v<T, Json>) {
    out = value;
  } else if constexpr (IsVector<T>::value) {
    if (!value.is_array()) return why = std::string("expected an array, got ") + jsonTypeName(value), false;
    T items;
    for (size_t i = 0; i < value.size(); ++i) {
      typename T::value_type item{};
      std::string item_why;
      if (!jsonRead(value[i], item, item_why)) return why = "[" + std::to_string(i) + "]: " + item_why, false;
      items.push_back(std::move(item));
    }
    out = std::move(items);
  } else {
    // A struct with its own from_json (which reads its fields with jsonField).
    if (!value.is_object()) return why = std::string("expected an object, got ") + jsonTypeName(value), false;
    from_json(value, out);
  }
  return true;
}
/// nlohmann's DOM builder, keeping the syntax error's message (it names line and column).
struct JsonSax : nlohmann::detail::json_sax_dom_parser<Json> {
  using Base = nlohmann::detail::json_sax_dom_parser<Json>;
  explicit JsonSax(Json& root) : Base(root, /*allow_exceptions=*/false) {}
  std::string error;
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& last_token, const Exception& ex) {
    error = ex.what();
    return Base::parse_error(position, last_token, ex);
  }
};
}  // namespace detail

/// In a from_json(const Json&, T&): reads member `key` of object `j` into `out`. A missing
/// required member, or one whose type does not fit T (bool, integers with range check,
/// floating point, std::string, std::vector of those, Json, or a struct with a from_json),
/// is recorded as the parse's error and leaves `out` unchanged; returns whether it was read.
template <class T>
bool jsonField(const Json& j, std::string_view key, T& out, JsonPresence presence = JsonRequired) {
  if (!j.is_object()) {
    detail::jsonError(key, std::string("the enclosing value is ") + j.type_name() + ", not an object");
    return false;
  }
  auto it = j.find(key);
  if (it == j.end()) {
    if (presence == JsonRequired) detail::jsonError(key, "required field is missing");
    return false;
  }
  detail::JsonErrors* errors = detail::activeJsonErrors();
  const size_t outer = errors ? errors->pointer.size() : 0;
  if (errors) errors->pointer.append("/").append(key);
  std::string why;
  const bool ok = detail::jsonRead(*it, out, why);
  if (errors) errors->pointer.resize(outer);
  if (!ok) detail::jsonError(key, why);
  return ok;
}

/// Parses `text` as JSON without logging, for text whose errors are not the plugin's (a
/// request body a client sent). A syntax error is ParseFailure; `error`, when given, then
/// receives nlohmann's message naming line and column (the text parseJson logs).
inline Result<Json> tryParseJson(std::string_view text, std::string* error = nullptr) {
  Json root;
  detail::JsonSax sax(root);
  // What Json::sax_parse(first, last, &sax) does for JSON, without its run-time choice of
  // format: that would link nlohmann's CBOR, MessagePack, UBJSON, BSON and BJData readers
  // into a build without LTO (Emscripten). A char range: the lexer above, one instantiation.
  const char* const begin = text.data();
  using Parser = nlohmann::detail::parser<Json, nlohmann::detail::iterator_input_adapter<const char*>>;
  Parser parser(nlohmann::detail::input_adapter(begin, begin + text.size()), nullptr, /*allow_exceptions_=*/true,
                /*skip_comments=*/false);
  const bool ok = parser.sax_parse(&sax, /*strict=*/true);
  if (!ok || !sax.error.empty()) {
    if (error) *error = sax.error.empty() ? std::string("invalid JSON") : std::move(sax.error);
    return Status::ParseFailure;
  }
  return root;
}

/// Parses `text` as JSON. A syntax error is ParseFailure, logged at error level as
/// "<what>: <nlohmann's message naming line and column>".
inline Result<Json> parseJson(std::string_view text, std::string_view what = "configuration") {
  std::string error;
  auto json = tryParseJson(text, &error);
  if (!json) logError(what, ": ", error);
  return json;
}

/// Parses `text` into a T through its from_json (see jsonField). Empty text is an empty
/// object: a T of defaults, if its fields are optional. Errors: ParseFailure, logged.
template <class T>
Result<T> parseJsonAs(std::string_view text, std::string_view what = "configuration") {
  auto json = text.find_first_not_of(" \t\r\n") == std::string_view::npos ? Result<Json>(Json::object())
                                                                              : parseJson(text, what);
  if (!json) return json.status();
  T value{};
  detail::JsonErrors errors;
  void* const outer = detail::runtime().json_errors;  // a from_json may parse another document
  detail::runtime().json_errors = &errors;
  std::string why;
  detail::jsonRead(*json, value, why);
  detail::runtime().json_errors = outer;
  std::string error = std::move(errors.first);
  if (error.empty() && !why.empty()) error = "/: " + why;
  if (!error.empty()) {
    logError(what, ": ", error);
    return Status::ParseFailure;
  }
  return value;
}

/// The plugin configuration (in onConfigure) as JSON / as a T.
/// Statuses: Ok (an empty configuration is an empty object); ParseFailure, logged with the
/// line and column, on a syntax error; the host's error when the configuration is unreadable.
inline Result<Json> pluginConfigurationJson(const RootContext& root) {
  auto bytes = root.pluginConfiguration();
  if (!bytes) {
    if (bytes.status() == Status::NotFound) return Json::object();
    logError("plugin configuration: cannot read it: ", bytes.status());
    return bytes.status();
  }
  if (bytes->view().find_first_not_of(" \t\r\n") == std::string_view::npos) return Json::object();
  return parseJson(bytes->view(), "plugin configuration");
}
template <class T>
/// Statuses: as pluginConfigurationJson(), and ParseFailure, logged with the JSON pointer,
/// when a field is missing or has another type.
Result<T> pluginConfigurationAs(const RootContext& root) {
  auto bytes = root.pluginConfiguration();
  if (!bytes && bytes.status() != Status::NotFound) {
    logError("plugin configuration: cannot read it: ", bytes.status());
    return bytes.status();
  }
  return parseJsonAs<T>(bytes ? bytes->view() : std::string_view(), "plugin configuration");
}

/// The VM configuration (in onStart) as JSON / as a T.
/// Statuses: as pluginConfigurationJson() (Ok, ParseFailure, the host's error).
inline Result<Json> vmConfigurationJson(const RootContext& root) {
  auto bytes = root.vmConfiguration();
  if (!bytes) {
    if (bytes.status() == Status::NotFound) return Json::object();
    logError("vm configuration: cannot read it: ", bytes.status());
    return bytes.status();
  }
  if (bytes->view().find_first_not_of(" \t\r\n") == std::string_view::npos) return Json::object();
  return parseJson(bytes->view(), "vm configuration");
}
template <class T>
/// Statuses: as pluginConfigurationAs() (Ok, ParseFailure, the host's error).
Result<T> vmConfigurationAs(const RootContext& root) {
  auto bytes = root.vmConfiguration();
  if (!bytes && bytes.status() != Status::NotFound) {
    logError("vm configuration: cannot read it: ", bytes.status());
    return bytes.status();
  }
  return parseJsonAs<T>(bytes ? bytes->view() : std::string_view(), "vm configuration");
}

}  // namespace proxy_wasm
