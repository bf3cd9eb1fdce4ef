// <proxy_wasm/json.h>: the same cases natively and against each toolchain's json_config.wasm.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>
#include <proxy_wasm/testing_doctest.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;

namespace {
std::string configured(Host& host, std::vector<std::pair<std::string, std::string>> extra = {}) {
  auto& stream = host.newHttpStream();
  HeaderList headers{{":path", "/"}};
  for (auto& h : extra) headers.add(h.first, h.second);
  stream.sendRequestHeaders(headers);
  auto v = stream.requestHeaders().get("x-config");
  return v ? std::string(*v) : std::string("<none>");
}
}  // namespace

TEST_CASE("a configuration is read into a struct: required, optional, nested, arrays") {
  auto host = makeHost();
  auto root = start(*host, {"json_config", R"({"header": "x-a", "tags": ["p", "q"], "limits": {"burst": 5}})"});
  REQUIRE(root);
  CHECK(configured(*host) == "x-a 10 2 5");
  CHECK(host->logs(LogLevel::Error).empty());
}

TEST_CASE("a syntax error is a failed start with the line and column in the log, not a trap") {
  auto host = makeHost();
  CHECK_FALSE(start(*host, {"json_config", "{\n  \"header\": x-a\n}"}));
  CHECK_FALSE(host->failed());  // no trap: the VM lives on
  REQUIRE(host->logs(LogLevel::Error).size() == 1);
  const std::string log = host->logs(LogLevel::Error)[0];
  CHECK(log.rfind("plugin configuration: [json.exception.parse_error.101] parse error at line 2, column 13", 0) == 0);
}

TEST_CASE("a syntax error's last read text shows control characters as <U+00XX>, as nlohmann prints them") {
  const std::pair<std::string, std::string> cases[] = {
      {"{\"header\": \"x\ny\"}",
       "plugin configuration: [json.exception.parse_error.101] parse error at line 2, column 0: syntax error while "
       "parsing value - invalid string: control character U+000A (LF) must be escaped to \\u000A or \\n; last read: "
       "'\"x<U+000A>'"},
      {"{\"header\": \"x-a\",\n \"limit\": 1\x1f}",
       "plugin configuration: [json.exception.parse_error.101] parse error at line 2, column 12: syntax error while "
       "parsing object - invalid literal; last read: '1<U+001F>'; expected '}'"},
      {"\x01", "plugin configuration: [json.exception.parse_error.101] parse error at line 1, column 1: syntax error "
               "while parsing value - invalid literal; last read: '<U+0001>'"}};
  for (const auto& [configuration, log] : cases) {
    CAPTURE(configuration);
    auto host = makeHost();
    CHECK_FALSE(start(*host, {"json_config", configuration}));
    CHECK_FALSE(host->failed());
    CHECK(host->logs(LogLevel::Error) == std::vector<std::string>{log});
  }
}

TEST_CASE("a field of the wrong type or a missing one names its JSON pointer") {
  auto host = makeHost();
  CHECK_FALSE(start(*host, {"json_config", R"({"header": "x-a", "limits": {"burst": "many"}})"}));
  CHECK(host->logs(LogLevel::Error) ==
        std::vector<std::string>{"plugin configuration: /limits/burst: expected an integer, got string"});
  CHECK_FALSE(host->failed());

  auto second = makeHost();
  CHECK_FALSE(start(*second, {"json_config", R"({"header": "x-a", "limit": -3000000000})"}));
  CHECK(second->logs(LogLevel::Error) == std::vector<std::string>{"plugin configuration: /limit: out of range: -3000000000"});

  auto third = makeHost();
  CHECK_FALSE(start(*third, {"json_config", R"({"limit": 3})"}));
  CHECK(third->logs(LogLevel::Error) == std::vector<std::string>{"plugin configuration: /header: required field is missing"});

  // An unsigned field: a negative number, one past its range (the numbers as written).
  auto fourth = makeHost();
  CHECK_FALSE(start(*fourth, {"json_config", R"({"header": "x-a", "limits": {"burst": -1}})"}));
  CHECK(fourth->logs(LogLevel::Error) ==
        std::vector<std::string>{"plugin configuration: /limits/burst: expected a non-negative integer, got -1"});
  auto fifth = makeHost();
  CHECK_FALSE(start(*fifth, {"json_config", R"({"header": "x-a", "limits": {"burst": 4294967296}})"}));
  CHECK(fifth->logs(LogLevel::Error) ==
        std::vector<std::string>{"plugin configuration: /limits/burst: out of range: 4294967296"});
}

TEST_CASE("a failed start reports the host's reason and the plugin's error through start()") {
  auto host = makeHost();
  auto root = start(*host, {"json_config", "[1,"});
  CHECK_FALSE(root);
  CHECK(root.failure.find("rejected its configuration") != std::string::npos);
  CHECK(root.failure.find("plugin logs: plugin configuration: [json.exception.parse_error.101]") != std::string::npos);
  CHECK(std::string(doctest::toString(root).c_str()).rfind("not started: ", 0) == 0);
}

TEST_CASE("nlohmann-json's throwing calls are a fatal error: critical log, trap in that callback") {
  struct Case {
    std::string header, what;
  };
  const std::vector<Case> cases{
      {R"({"name": "n"})", ""},
      {R"({"other": 1})", "nlohmann::json threw: [json.exception.out_of_range.403] key 'name' not found"},
      {R"({"name": 7})", "nlohmann::json threw: [json.exception.type_error.302] type must be string, but is number"},
      {"{", "nlohmann::json threw: [json.exception.parse_error.101] parse error at line 1, column 2"}};
  for (const auto& [header, what] : cases) {
    CAPTURE(header);
    auto host = makeHost();
    REQUIRE(start(*host, {"json_config", R"({"header": "x-a"})"}));
    const std::string value = configured(*host, {{"x-json", header}});
    if (what.empty()) {
      CHECK(value == "x-a 10 0 1 n");
      CHECK_FALSE(host->failed());
      continue;
    }
    REQUIRE(host->failed());
    CHECK(host->failure().rfind("trap in proxy_on_request_headers", 0) == 0);
    REQUIRE(host->logs(LogLevel::Critical).size() == 1);
    CHECK(host->logs(LogLevel::Critical)[0].rfind(what, 0) == 0);
  }
}
