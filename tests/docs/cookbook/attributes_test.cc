#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>

using namespace proxy_wasm::testing;

TEST_CASE("cookbook: attributes are read typed in onLog") {
  HostOptions options;
  options.source_address = "10.0.0.7:5555";
  auto host = makeHost(options);
  REQUIRE(host->startPlugin({"access_line"}) != 0);
  auto& stream = host->newHttpStream();
  stream.sendRequestHeaders({{":method", "GET"}, {":path", "/items"}, {"x-request-id", "r-1"}}, true);
  host->advanceTime(25);
  stream.sendResponseHeaders({{":status", "201"}}, true);
  stream.finish();
  auto lines = host->logs(proxy_wasm::LogLevel::Info);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("10.0.0.7:5555 /items 201 id=r-1 ms=", 0) == 0);
}
