// Fails on purpose: guard_start_failure checks that the assertion output names the host's
// reason and the plugin's error (proxy_wasm/testing_doctest.h), not just `0 != 0`.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>
#include <proxy_wasm/testing_doctest.h>

TEST_CASE("a plugin whose configuration is not JSON") {
  auto host = proxy_wasm::testing::makeHost();
  REQUIRE(proxy_wasm::testing::start(*host, {"json_config", "{"}));
}
