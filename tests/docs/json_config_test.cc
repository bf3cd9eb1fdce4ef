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
