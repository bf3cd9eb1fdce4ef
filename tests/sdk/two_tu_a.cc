// Two translation units include the SDK (and so its exports); linking them together must
// neither duplicate nor lose an export. This one registers the plugin.
#include <doctest/doctest.h>
#include <proxy_wasm/proxy_wasm.h>
#include <proxy_wasm/testing.h>

class TwoTuRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onStart(size_t) override;  // defined in two_tu_b.cc
};
static proxy_wasm::RegisterContextFactory<TwoTuRoot> registration{""};

TEST_CASE("a plugin split over two translation units links and runs") {
  auto host = proxy_wasm::testing::makeHost();
  REQUIRE(host->startPlugin() != 0);
  CHECK(host->logs(proxy_wasm::LogLevel::Info) == std::vector<std::string>{"started from the second unit"});
}
