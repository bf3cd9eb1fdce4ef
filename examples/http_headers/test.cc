// http_headers' documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using Logs = std::vector<std::string>;

namespace {
std::unique_ptr<Host> started(const std::string& configuration) {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"", configuration}) != 0);
  return host;
}
}  // namespace

TEST_CASE("logs every request header and continues") {
  auto host = started("");
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":method", "GET"}, {":path", "/hello"}, {"X-Two", "2"}}, true) == Action::Continue);
  CHECK(host->logs(LogLevel::Info) ==
        Logs{"request header --> :method: GET", "request header --> :path: /hello", "request header --> x-two: 2"});
  CHECK(s.requestHeadersForwarded());
}

TEST_CASE("sets the default header on the response, replacing any value, then logs the response") {
  auto host = started("");
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  host->clearLogs();
  CHECK(s.sendResponseHeaders({{":status", "200"}, {"x-wasm-header", "old"}, {"x-wasm-header", "older"}}) ==
        Action::Continue);
  CHECK(s.responseHeaders() == HeaderList{{":status", "200"}, {"x-wasm-header", "demo-wasm"}});
  CHECK(host->logs(LogLevel::Info) ==
        Logs{"response header <-- :status: 200", "response header <-- x-wasm-header: demo-wasm"});
}

TEST_CASE("uses the configured header and value") {
  auto host = started(R"({"header": "x-custom", "value": "hi"})");
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(s.sendResponseHeaders({{":status", "204"}}) == Action::Continue);
  CHECK(s.responseHeaders().get("x-custom") == "hi");
  CHECK_FALSE(s.responseHeaders().has("x-wasm-header"));
}

TEST_CASE("each field is optional") {
  auto host = started(R"({"value": "only-value"})");
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendResponseHeaders({{":status", "200"}});
  CHECK(s.responseHeaders().get("x-wasm-header") == "only-value");
}

TEST_CASE("rejects invalid configuration") {
  for (const char* bad : {"{not json", "[1, 2]", R"({"header": 7})", R"({"value": null})", "\"string\""}) {
    CAPTURE(bad);
    auto host = makeHost();
    CHECK(host->startPlugin({"", bad}) == 0);
    CHECK(host->logs(LogLevel::Error).size() == 1);
  }
}

TEST_CASE("values may hold any byte") {
  auto host = started("");
  auto& s = host->newHttpStream();
  const std::string binary("a\0b\xff", 4);
  s.sendRequestHeaders({{":path", "/"}, {"x-bin", binary}});
  CHECK(host->logs(LogLevel::Info).back() == "request header --> x-bin: " + binary);
}

TEST_CASE("streams are independent and finish cleanly") {
  auto host = started("");
  auto& a = host->newHttpStream();
  auto& b = host->newHttpStream();
  a.sendRequestHeaders({{":path", "/a"}});
  b.sendRequestHeaders({{":path", "/b"}});
  CHECK(a.id() != b.id());
  b.sendResponseHeaders({{":status", "200"}});
  a.sendResponseHeaders({{":status", "500"}});
  a.finish();
  b.finish();
  CHECK(a.finished());
  CHECK(host->violations().empty());
}
