// request_delay's documented behaviour, against the mock host (natively or in the engine).
// The first two cases are the ones the SDK's context rules exist for: a stream that calls
// its root and then itself, and a paused stream edited from its root's timer.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;

namespace {

std::unique_ptr<Host> started(const std::string& configuration = "") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"", configuration}) != 0);
  return host;
}

const HeaderList kRequest{{":method", "GET"}, {":path", "/slow"}, {":authority", "example.com"}};

// The contexts that the calls to `function` acted on, in order.
std::vector<uint32_t> actedOn(const Host& host, const std::string& function) {
  std::vector<uint32_t> out;
  for (const auto& call : host.hostCalls(function)) out.push_back(call.context_id);
  return out;
}

// The log lines at `level` written while context `id` was the one at work.
std::vector<std::string> logsOf(const Host& host, uint32_t id, LogLevel level) {
  std::vector<std::string> out;
  for (const auto& entry : host.logs())
    if (entry.context_id == id && entry.level == level) out.push_back(entry.message);
  return out;
}

}  // namespace

TEST_CASE("a stream that arms a timer on its root still edits and reads its own request") {
  auto host = started();
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders(kRequest) == Action::Pause);
  // The header added after the call on the root landed on this stream's request.
  CHECK(s.requestHeaders().get("x-delayed-ms") == "100");
  // The path read after it worked, and the log line is the stream's, not the root's.
  CHECK(logsOf(*host, s.id(), LogLevel::Info) == std::vector<std::string>{"delaying /slow by 100 ms"});
  CHECK(logsOf(*host, host->roots().front(), LogLevel::Info).empty());
  CHECK(host->tickPeriod() == 100);
  CHECK(s.requestPaused());
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->violations().empty());
  // The host-call record: the timer's tick was set on the root, every header call and the
  // log line acted on the stream, and the SDK switched contexts exactly twice (to the root
  // for the timer, back to the stream), never redundantly.
  const uint32_t root = host->roots().front();
  CHECK(actedOn(*host, "proxy_set_tick_period_milliseconds") == std::vector<uint32_t>{root});
  CHECK(actedOn(*host, "proxy_set_effective_context") == std::vector<uint32_t>{root, s.id()});
  CHECK(actedOn(*host, "proxy_add_header_map_value") == std::vector<uint32_t>{s.id()});
  CHECK(actedOn(*host, "proxy_get_header_map_value") == std::vector<uint32_t>{s.id()});
  CHECK(actedOn(*host, "proxy_log") == std::vector<uint32_t>{s.id()});
  for (const auto& call : host->hostCalls()) CHECK(call.status == proxy_wasm::Status::Ok);
}

TEST_CASE("the root's timer edits the paused request and resumes it") {
  auto host = started();
  auto& s = host->newHttpStream();
  REQUIRE(s.sendRequestHeaders(kRequest, true) == Action::Pause);
  const uint32_t root = host->roots().front();
  host->clearHostCalls();
  host->advanceTime(99);
  CHECK(s.requestPaused());
  CHECK_FALSE(s.requestHeaders().has("x-delay-done"));
  host->advanceTime(1);
  CHECK_FALSE(s.requestPaused());
  CHECK(s.requestHeadersForwarded());
  CHECK(s.requestHeaders() == HeaderList{{":method", "GET"},
                                         {":path", "/slow"},
                                         {":authority", "example.com"},
                                         {"x-delayed-ms", "100"},
                                         {"x-delay-done", "1"}});
  CHECK(host->tickPeriod() == 0);  // no timer left: the tick is off
  // In the root's tick: the edits and the resume acted on the stream; the tick was turned
  // off on the root; one switch to the stream and one back.
  CHECK(actedOn(*host, "proxy_add_header_map_value") == std::vector<uint32_t>{s.id()});
  CHECK(actedOn(*host, "proxy_continue_stream") == std::vector<uint32_t>{s.id()});
  CHECK(actedOn(*host, "proxy_set_tick_period_milliseconds") == std::vector<uint32_t>{root});
  CHECK(actedOn(*host, "proxy_set_effective_context") == std::vector<uint32_t>{s.id(), root});
  for (const auto& call : host->hostCalls()) CHECK(call.current_context_id == root);
  CHECK(host->logs(LogLevel::Warn).empty());
  CHECK(host->logs(LogLevel::Error).empty());
  CHECK(host->violations().empty());
}

TEST_CASE("requests are delayed independently, each resumed at its own time") {
  auto host = started("50");
  auto& a = host->newHttpStream();
  REQUIRE(a.sendRequestHeaders(kRequest, true) == Action::Pause);
  host->advanceTime(30);
  auto& b = host->newHttpStream();
  REQUIRE(b.sendRequestHeaders(kRequest, true) == Action::Pause);
  host->advanceTime(20);
  CHECK_FALSE(a.requestPaused());
  CHECK(b.requestPaused());
  host->advanceTime(30);
  CHECK_FALSE(b.requestPaused());
  CHECK(b.requestHeaders().get("x-delayed-ms") == "50");
  CHECK(host->violations().empty());
}

TEST_CASE("paths under /fast pass at once") {
  auto host = started();
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":method", "GET"}, {":path", "/fast/x"}}, true) == Action::Continue);
  CHECK_FALSE(s.requestHeaders().has("x-delayed-ms"));
  CHECK(host->tickPeriod() == 0);
  // A stream working on itself in its own callback makes no context switch.
  CHECK(host->hostCalls("proxy_set_effective_context").empty());
  CHECK(actedOn(*host, "proxy_get_header_map_value") == std::vector<uint32_t>{s.id()});
}

TEST_CASE("a stream that ends before its timer cancels it") {
  auto host = started();
  auto& s = host->newHttpStream();
  REQUIRE(s.sendRequestHeaders(kRequest) == Action::Pause);
  s.finish();
  CHECK(host->tickPeriod() == 0);
  host->advanceTime(1000);  // nothing fires
  CHECK(host->logs(LogLevel::Error).empty());
  CHECK(host->violations().empty());
  CHECK_FALSE(host->failed());
}

TEST_CASE("the delay is configurable; a bad configuration is refused") {
  auto host = started("250");
  auto& s = host->newHttpStream();
  REQUIRE(s.sendRequestHeaders(kRequest) == Action::Pause);
  CHECK(s.requestHeaders().get("x-delayed-ms") == "250");

  auto bad = makeHost();
  CHECK(bad->startPlugin({"", "soon"}) == 0);
  CHECK(bad->logs(LogLevel::Error) == std::vector<std::string>{"configuration must be a delay in milliseconds, got: soon"});
}
