#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;

static Action request(Host& host, const char* client) {
  auto& stream = host.newHttpStream();
  Action a = stream.sendRequestHeaders({{":path", "/"}, {"x-client-id", client}});
  stream.finish();
  return a;
}

TEST_CASE("cookbook: rate limit allows N per client per second, then 429 until the next second") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"rate_limit", "2"}) != 0);
  CHECK(request(*host, "a") == Action::Continue);
  CHECK(request(*host, "a") == Action::Continue);
  CHECK(request(*host, "a") == Action::Pause);   // the third in this second
  CHECK(request(*host, "b") == Action::Continue);  // another client
  host->advanceTime(1000);
  CHECK(request(*host, "a") == Action::Continue);  // a new window
}

TEST_CASE("cookbook: rate limit refuses a configuration that is not a positive number") {
  auto host = makeHost();
  CHECK(host->startPlugin({"rate_limit", "ten"}) == 0);
}
