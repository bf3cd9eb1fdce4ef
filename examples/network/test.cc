// network's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using proxy_wasm::PeerType;
using Logs = std::vector<std::string>;

namespace {
std::unique_ptr<Host> started() {
  auto host = makeHost();
  REQUIRE(host->startPlugin() != 0);
  return host;
}
}  // namespace

TEST_CASE("the metrics exist, at zero, once the plugin has started") {
  auto host = started();
  CHECK(host->counter("tcp.bytes_total") == 0u);
  CHECK(host->gauge("tcp.active_connections") == 0);
  CHECK(host->violations().empty());
}

TEST_CASE("a new connection is logged, counted as active, and continues") {
  auto host = started();
  auto& c = host->newConnection();
  CHECK(c.newConnectionAction() == Action::Continue);
  CHECK(host->logs(LogLevel::Info) == Logs{"new connection"});
  REQUIRE(host->logs().size() == 1);
  CHECK(host->logs()[0].context_id == c.id());
  CHECK(host->gauge("tcp.active_connections") == 1);
}

TEST_CASE("counts the bytes of each direction and forwards them unchanged") {
  auto host = started();
  auto& c = host->newConnection();
  CHECK(c.sendDownstreamData("hello") == Action::Continue);
  CHECK(host->counter("tcp.bytes_total") == 5u);
  CHECK(c.sendUpstreamData("HTTP/1.1 200 OK\r\n") == Action::Continue);
  CHECK(host->counter("tcp.bytes_total") == 5u + 17u);
  CHECK(c.sendDownstreamData(" world") == Action::Continue);
  CHECK(host->counter("tcp.bytes_total") == 28u);
  CHECK(c.forwardedDownstream() == "hello world");
  CHECK(c.forwardedUpstream() == "HTTP/1.1 200 OK\r\n");
  CHECK(host->logs(LogLevel::Warn).empty());

  c.closeDownstream(PeerType::Remote);
  CHECK(host->logs(LogLevel::Info) == Logs{"new connection", "connection closed: downstream=11 upstream=17"});
}

TEST_CASE("empty chunks (a bare end of stream) add nothing") {
  auto host = started();
  auto& c = host->newConnection();
  c.sendDownstreamData("abc");
  CHECK(c.sendDownstreamData("", true) == Action::Continue);
  CHECK(c.sendUpstreamData("", false) == Action::Continue);
  CHECK(host->counter("tcp.bytes_total") == 3u);
  CHECK(host->logs(LogLevel::Warn).empty());  // no refused zero increment
  c.closeDownstream(PeerType::Local);
  CHECK(host->logs(LogLevel::Info).back() == "connection closed: downstream=3 upstream=0");
}

TEST_CASE("the close is logged once, whichever peer closed the downstream connection") {
  SUBCASE("remote") {
    auto host = started();
    auto& c = host->newConnection();
    c.sendDownstreamData("12345678");
    c.closeDownstream(PeerType::Remote);
    c.closeDownstream(PeerType::Remote);
    CHECK(host->logs(LogLevel::Info) == Logs{"new connection", "connection closed: downstream=8 upstream=0"});
  }
  SUBCASE("local") {
    auto host = started();
    auto& c = host->newConnection();
    c.sendUpstreamData("1234");
    c.closeDownstream(PeerType::Local);
    c.closeDownstream(PeerType::Remote);
    CHECK(host->logs(LogLevel::Info) == Logs{"new connection", "connection closed: downstream=0 upstream=4"});
  }
}

TEST_CASE("an upstream close is not the downstream close: nothing is logged for it") {
  auto host = started();
  auto& c = host->newConnection();
  c.sendDownstreamData("ping");
  c.sendUpstreamData("pong", true);  // Envoy reports an upstream close after an upstream end of stream
  c.closeUpstream(PeerType::Remote);
  CHECK(host->logs(LogLevel::Info) == Logs{"new connection"});
  c.closeDownstream(PeerType::Remote);
  CHECK(host->logs(LogLevel::Info) == Logs{"new connection", "connection closed: downstream=4 upstream=4"});
}

TEST_CASE("on_done takes the connection off the gauge, closed or not") {
  auto host = started();
  auto& a = host->newConnection();
  auto& b = host->newConnection();
  CHECK(host->gauge("tcp.active_connections") == 2);
  a.closeDownstream(PeerType::Remote);  // Envoy finalizes right after the close
  a.finish();
  CHECK(host->gauge("tcp.active_connections") == 1);
  b.finish();  // no downstream close event: no close log
  CHECK(host->gauge("tcp.active_connections") == 0);
  CHECK(host->logs(LogLevel::Info) ==
        Logs{"new connection", "new connection", "connection closed: downstream=0 upstream=0"});
  CHECK(host->violations().empty());
}

TEST_CASE("connections count their own bytes; the counter adds them all") {
  auto host = started();
  auto& a = host->newConnection();
  auto& b = host->newConnection();
  a.sendDownstreamData("aa");
  b.sendDownstreamData("bbbb");
  a.sendUpstreamData("AAA");
  b.sendUpstreamData("B");
  CHECK(host->counter("tcp.bytes_total") == 10u);
  host->clearLogs();
  b.closeDownstream(PeerType::Remote);
  a.closeDownstream(PeerType::Local);
  CHECK(host->logs(LogLevel::Info) ==
        Logs{"connection closed: downstream=4 upstream=1", "connection closed: downstream=2 upstream=3"});
  REQUIRE(host->logs().size() == 2);
  CHECK(host->logs()[0].context_id == b.id());
  CHECK(host->logs()[1].context_id == a.id());
}
