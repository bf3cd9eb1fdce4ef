// The tests of docs/testing.md (kept identical to the page).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;

TEST_CASE("adds x-checked and continues") {
  auto host = makeHost();                               // a fresh host and plugin instance
  REQUIRE(host->startPlugin({"add_header"}) != 0);      // create root, vm_start, configure
  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":method", "GET"}, {":path", "/"}}) == Action::Continue);
  CHECK(stream.requestHeaders().get("x-checked") == "yes");
}

TEST_CASE("blocks requests carrying x-block") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"add_header"}) != 0);
  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":path", "/"}, {"x-block", "1"}}) == Action::Pause);
  REQUIRE(stream.localResponse());
  CHECK(stream.localResponse()->status == 403);
  CHECK(stream.localResponse()->body == "blocked");
  CHECK(stream.localResponse()->headers.get("x-blocked-by") == "add_header");
  CHECK(host->violations().empty());                    // nothing a real host would refuse
}

TEST_CASE("the host calls the plugin made") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"add_header"}) != 0);
  auto& stream = host->newHttpStream();
  stream.sendRequestHeaders({{":path", "/"}});
  auto lookups = host->hostCalls("proxy_get_header_map_value");
  REQUIRE(lookups.size() == 1);                               // x-block
  CHECK(lookups[0].status == proxy_wasm::Status::NotFound);   // what the plugin got back
  CHECK(lookups[0].context_id == stream.id());                // the context the host acted on
  CHECK(lookups[0].callback == Callback::RequestHeaders);     // the callback that was running
  CHECK(host->hostCalls("proxy_add_header_map_value").at(0).status == proxy_wasm::Status::Ok);
}
