// A stack overflow traps in the callback that overflowed (the stack is placed first), with
// every toolchain; a depth that fits runs. Run against each toolchain's stack_depth.wasm.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;

TEST_CASE("a recursion that fits the 64 KiB stack runs") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"stack_depth"}) != 0);
  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":path", "/"}, {"x-depth", "32"}}) == Action::Continue);
  CHECK(stream.requestHeaders().get("x-sum").has_value());
  CHECK_FALSE(host->failed());
  // The globals are intact for the next stream.
  auto& next = host->newHttpStream();
  CHECK(next.sendRequestHeaders({{":path", "/"}, {"x-depth", "1"}}) == Action::Continue);
  CHECK_FALSE(host->failed());
}

TEST_CASE("a recursion that overflows the stack traps in that very callback") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"stack_depth"}) != 0);
  auto& stream = host->newHttpStream();
  stream.sendRequestHeaders({{":path", "/"}, {"x-depth", "66"}});
  REQUIRE(host->failed());
  INFO("failure: " << host->failure());
  CHECK(host->failure().rfind("trap in proxy_on_request_headers: ", 0) == 0);
  // Envoy fails the stream closed: 503.
  REQUIRE(stream.localResponse());
  CHECK(stream.localResponse()->status == 503);
}
