#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;

TEST_CASE("cookbook: one module, several configured plugins, each with its own root") {
  auto host = makeHost();
  const uint32_t blue = host->startPlugin({"tagger", "blue"});
  const uint32_t green = host->startPlugin({"tagger", "green"});  // same root id, another root
  const uint32_t admin = host->startPlugin({"blocker", "/admin"});
  REQUIRE(blue != 0);
  REQUIRE(green != 0);
  REQUIRE(admin != 0);

  auto& a = host->newHttpStream(blue);
  a.sendRequestHeaders({{":path", "/"}});
  CHECK(a.requestHeaders().get("x-tag") == "blue");
  a.finish();
  auto& b = host->newHttpStream(green);
  b.sendRequestHeaders({{":path", "/"}});
  CHECK(b.requestHeaders().get("x-tag") == "green");
  b.finish();
  auto& c = host->newHttpStream(admin);
  CHECK(c.sendRequestHeaders({{":path", "/admin/users"}}) == Action::Pause);
  REQUIRE(c.localResponse());
  CHECK(c.localResponse()->status == 403);
}
