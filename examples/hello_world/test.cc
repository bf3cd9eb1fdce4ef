// hello_world's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>

using namespace proxy_wasm::testing;
using proxy_wasm::LogLevel;

TEST_CASE("logs a greeting when the VM starts") {
  auto host = makeHost();
  REQUIRE(host->startPlugin() != 0);
  CHECK(host->logs(LogLevel::Info) == std::vector<std::string>{"Hello from the C++ SDK"});
  CHECK(host->violations().empty());
}

TEST_CASE("ticks every second and logs the host clock") {
  HostOptions options;
  options.start_time_ns = 1'000'000'000'000;
  auto host = makeHost(options);
  REQUIRE(host->startPlugin() != 0);
  CHECK(host->tickPeriod() == 1000);
  host->clearLogs();

  host->advanceTime(999);
  CHECK(host->logs(LogLevel::Info).empty());
  host->advanceTime(1);
  CHECK(host->logs(LogLevel::Info) == std::vector<std::string>{"It's 1001000000000"});
  host->advanceTime(2000);
  CHECK(host->logs(LogLevel::Info) ==
        std::vector<std::string>{"It's 1001000000000", "It's 1002000000000", "It's 1003000000000"});
}

TEST_CASE("every plugin instance starts and ticks on its own") {
  auto host = makeHost();
  const uint32_t a = host->startPlugin({"", "", "first"});
  const uint32_t b = host->startPlugin({"", "", "second"});
  REQUIRE(a != 0);
  REQUIRE(b != 0);
  CHECK(a != b);
  CHECK(host->logs(LogLevel::Info).size() == 2);
  host->clearLogs();
  host->tick(b);
  CHECK(host->logs(LogLevel::Info).size() == 1);
  CHECK(host->logs()[0].context_id == b);
}
