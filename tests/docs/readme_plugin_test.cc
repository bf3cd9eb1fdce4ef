// The README's plugin does what the README says.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

using namespace proxy_wasm::testing;
using proxy_wasm::LogLevel;

TEST_CASE("the README plugin adds the request's path to the response") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"add_header"}) != 0);
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":method", "GET"}, {":path", "/docs"}}, true);
  s.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(s.responseHeaders().get("x-seen-path") == "/docs");
  // An absent header is not an error: "-", and nothing logged.
  auto& no_path = host->newHttpStream();
  no_path.sendRequestHeaders({{":method", "GET"}}, true);
  no_path.sendResponseHeaders({{":status", "200"}}, true);
  CHECK(no_path.responseHeaders().get("x-seen-path") == "-");
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->violations().empty());
}
