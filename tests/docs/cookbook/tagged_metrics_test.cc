#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

using namespace proxy_wasm::testing;

TEST_CASE("cookbook: tags fold into the stat names Envoy's tag extraction reads") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"tagged_metrics"}) != 0);
  for (const char* code : {"200", "200", "404"}) {
    auto& stream = host->newHttpStream();
    stream.sendRequestHeaders({{":method", "GET"}, {":path", "/"}}, true);
    stream.sendResponseHeaders({{":status", code}}, true);
    stream.finish();
  }
  CHECK(host->counter("plugin.cookbook.requests") == 3u);
  CHECK(host->counter("method.GET.code.200.responses") == 2u);
  CHECK(host->counter("method.GET.code.404.responses") == 1u);
}
