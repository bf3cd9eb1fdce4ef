// hello_world's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using Logs = std::vector<std::string>;

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

TEST_CASE("put in an HTTP filter chain, its streams pass through and the SDK says so once") {
  // hello_world registers no stream context type: the SDK lets every stream through
  // untouched and logs one info line per root, not an error per callback.
  auto host = makeHost();
  REQUIRE(host->startPlugin() != 0);
  host->clearLogs();
  for (const char* path : {"/a", "/b"}) {
    CAPTURE(path);
    auto& s = host->newHttpStream();
    CHECK(s.sendRequestHeaders({{":method", "POST"}, {":path", path}}) == Action::Continue);
    CHECK(s.sendRequestBody("ping", true) == Action::Continue);
    CHECK(s.requestHeaders() == HeaderList{{":method", "POST"}, {":path", path}});
    CHECK(s.forwardedRequestBody() == "ping");
    CHECK(s.sendResponseHeaders({{":status", "200"}}) == Action::Continue);
    CHECK(s.sendResponseBody("pong", true) == Action::Continue);
    CHECK(s.forwardedResponseBody() == "pong");
    CHECK_FALSE(s.localResponse().has_value());
    s.finish();
    CHECK(s.finished());
  }
  CHECK(host->logs(LogLevel::Info) ==
        Logs{"proxy-wasm: root id '' registered no stream context type; its streams pass through the plugin"});
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->logs(LogLevel::Error).empty());
  CHECK(host->logs(LogLevel::Critical).empty());
  CHECK(host->violations().empty());
  CHECK_FALSE(host->failed());
}
