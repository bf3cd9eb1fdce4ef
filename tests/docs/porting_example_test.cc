// docs/porting.md: the ported example's behaviour, pinned.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <algorithm>
#include <string>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;

static bool logged(const Host& host, LogLevel level, const std::string& line) {
  auto lines = host.logs(level);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST_CASE("porting: headers are logged, the response is rewritten") {
  HostOptions options;
  options.log_level = LogLevel::Trace;
  auto host = makeHost(options);
  REQUIRE(host->startPlugin({"my_root_id"}) != 0);
  CHECK(logged(*host, LogLevel::Trace, "onConfigure"));
  auto& stream = host->newHttpStream();
  CHECK(stream.sendRequestHeaders({{":method", "POST"}, {":path", "/"}}, false) == Action::Continue);
  CHECK(logged(*host, LogLevel::Info, "headers: 2"));
  CHECK(logged(*host, LogLevel::Info, ":path -> /"));
  CHECK(stream.sendRequestBody("ping", true) == Action::Continue);
  CHECK(logged(*host, LogLevel::Error, "onRequestBody ping"));
  CHECK(stream.sendResponseHeaders({{":status", "200"}, {"content-type", "text/html"}, {"content-length", "20"}},
                                   false) == Action::Continue);
  CHECK(stream.responseHeaders().get("x-wasm-custom") == "FOO");
  CHECK(stream.responseHeaders().get("content-type") == "text/plain; charset=utf-8");
  CHECK(!stream.responseHeaders().has("content-length"));
  CHECK(stream.sendResponseBody("0123456789ab tail", true) == Action::Continue);
  CHECK(stream.forwardedResponseBody() == "Hello, world tail");
  const uint32_t id = stream.id();
  stream.finish();
  CHECK(logged(*host, LogLevel::Warn, "onLog " + std::to_string(id)));
  CHECK(logged(*host, LogLevel::Warn, "onDone " + std::to_string(id)));
  CHECK(logged(*host, LogLevel::Warn, "onDelete " + std::to_string(id)));
}

TEST_CASE("porting: the root ticks every second") {
  HostOptions options;
  options.log_level = LogLevel::Trace;
  auto host = makeHost(options);
  REQUIRE(host->startPlugin({"my_root_id"}) != 0);
  host->advanceTime(3000);
  auto lines = host->logs(LogLevel::Trace);
  CHECK(std::count(lines.begin(), lines.end(), "onTick") == 3);
}
