// docs/json.md, "Parse a configuration": the page's Config and Root, run.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;

TEST_CASE("json page: a valid configuration is read into Config, the optional field defaulted") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"json_page", R"({"header": "x-limit"})"}) != 0);
  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":method", "GET"}, {":path", "/"}}, true) == Action::Continue);
  CHECK(stream.requestHeaders().get("x-limit") == "10");  // limit's default

  auto host2 = makeHost();
  REQUIRE(host2->startPlugin({"json_page", R"({"header": "x-limit", "limit": 25})"}) != 0);
  auto& stream2 = host2->newHttpStream();
  CHECK(stream2.sendRequestHeaders({{":method", "GET"}, {":path", "/"}}, true) == Action::Continue);
  CHECK(stream2.requestHeaders().get("x-limit") == "25");
  CHECK(host2->logs(LogLevel::Error).empty());
}

TEST_CASE("json page: a missing required field is refused with one error line naming it") {
  auto host = makeHost();
  CHECK(host->startPlugin({"json_page", R"({"limit": 5})"}) == 0);  // onConfigure returned false
  const auto errors = host->logs(LogLevel::Error);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "plugin configuration: /header: required field is missing");
}

TEST_CASE("json page: a mistyped field and a syntax error are refused, never a trap") {
  auto host = makeHost();
  CHECK(host->startPlugin({"json_page", R"({"header": "x", "limit": "many"})"}) == 0);
  auto errors = host->logs(LogLevel::Error);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "plugin configuration: /limit: expected an integer, got string");
  CHECK(!host->failed());

  auto host2 = makeHost();
  CHECK(host2->startPlugin({"json_page", "{\"header\": "}) == 0);
  errors = host2->logs(LogLevel::Error);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].rfind("plugin configuration: [json.exception.parse_error.101]", 0) == 0);
  CHECK(!host2->failed());
}

TEST_CASE("json page: tryParseJson answers a client's bad body with 400 and logs nothing") {
  struct Case {
    const char* body;
    const char* response;  // empty: the request continues
  };
  const Case cases[] = {
      {R"({"id": 1})", ""},
      {"{\"id\": 1,}",
       "[json.exception.parse_error.101] parse error at line 1, column 10: syntax error while parsing object key - "
       "unexpected '}'; expected string literal"},
      {"[1]", "expected an object, got array"},
      {"{\"id\": \"x\ny\"}",
       "[json.exception.parse_error.101] parse error at line 2, column 0: syntax error while parsing value - invalid "
       "string: control character U+000A (LF) must be escaped to \\u000A or \\n; last read: '\"x<U+000A>'"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body);
    const std::string body = c.body;
    auto host = makeHost();
    REQUIRE(host->startPlugin({"json_page_items", ""}) != 0);
    auto& s = host->newHttpStream();
    REQUIRE(s.sendRequestHeaders({{":method", "POST"}, {":path", "/items"}}) == Action::Continue);
    // A first chunk is buffered: the callback waits for the end of the body.
    if (body.size() > 1) CHECK(s.sendRequestBody(body.substr(0, 1)) == Action::Pause);
    const Action last = s.sendRequestBody(body.size() > 1 ? body.substr(1) : body, true);
    if (*c.response == '\0') {
      CHECK(last == Action::Continue);
      CHECK_FALSE(s.localResponse().has_value());
      CHECK(s.forwardedRequestBody() == body);
    } else {
      CHECK(last == Action::Pause);
      REQUIRE(s.localResponse().has_value());  // the body callback ran and answered
      CHECK(s.localResponse()->status == 400);
      CHECK(s.localResponse()->body == c.response);
    }
    for (auto level : {LogLevel::Trace, LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error, LogLevel::Critical})
      CHECK(host->logs(level).empty());  // tryParseJson logs nothing
  }
}
