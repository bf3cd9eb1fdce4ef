// metrics' documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using Samples = std::vector<uint64_t>;

namespace {
std::unique_ptr<Host> started(HostOptions options = {}) {
  auto host = makeHost(std::move(options));
  REQUIRE(host->startPlugin() != 0);
  return host;
}
}  // namespace

TEST_CASE("the three metrics exist, at zero, once the plugin has started") {
  auto host = started();
  CHECK(host->counter("requests_total") == 0u);
  CHECK(host->gauge("active_requests") == 0);
  CHECK(host->histogram("request_header_bytes") == Samples{});
  CHECK(host->metrics().size() == 3);
  // Defined in onStart, not during module start-up (where Envoy forbids host calls).
  CHECK(host->violations().empty());
}

TEST_CASE("a request: counted, active until its stream is done, header bytes recorded") {
  auto host = started();
  auto& s = host->newHttpStream();
  // 7+3 + 5+6 + 10+9 + 10+8 = 58
  CHECK(s.sendRequestHeaders({{":method", "GET"}, {":path", "/hello"}, {":authority", "localhost"},
                              {"user-agent", "curl/8.0"}}) == Action::Continue);
  CHECK(host->counter("requests_total") == 1u);
  CHECK(host->gauge("active_requests") == 1);
  CHECK(host->histogram("request_header_bytes") == Samples{58});

  // The rest of the stream changes nothing.
  CHECK(s.sendRequestBody("some body", true) == Action::Continue);
  CHECK(s.sendResponseHeaders({{":status", "200"}, {"content-length", "2"}}) == Action::Continue);
  CHECK(s.sendResponseBody("ok", true) == Action::Continue);
  CHECK(host->counter("requests_total") == 1u);
  CHECK(host->gauge("active_requests") == 1);
  CHECK(host->histogram("request_header_bytes") == Samples{58});

  s.finish();
  CHECK(host->gauge("active_requests") == 0);
  CHECK(host->counter("requests_total") == 1u);
  CHECK(host->violations().empty());
}

TEST_CASE("header bytes: every pair as received, pseudo-headers and duplicates included, keys lower-cased") {
  auto host = started();
  auto& s = host->newHttpStream();
  const std::string binary("a\0b", 3);
  // :path=5+1, X-Dup (x-dup) twice = (5+1)*2, x-bin=5+3, empty value=7+0
  s.sendRequestHeaders({{":path", "/"}, {"X-Dup", "1"}, {"x-dup", "2"}, {"x-bin", binary}, {"x-empty", ""}}, true);
  CHECK(host->histogram("request_header_bytes") == Samples{6 + 12 + 8 + 7});
}

TEST_CASE("the gauge follows the streams in flight, in any finishing order") {
  auto host = started();
  auto& a = host->newHttpStream();
  auto& b = host->newHttpStream();
  auto& c = host->newHttpStream();
  a.sendRequestHeaders({{":path", "/a"}});
  b.sendRequestHeaders({{":path", "/bb"}});
  c.sendRequestHeaders({{":path", "/ccc"}});
  CHECK(host->gauge("active_requests") == 3);
  CHECK(host->counter("requests_total") == 3u);
  b.finish();
  CHECK(host->gauge("active_requests") == 2);
  c.finish();
  a.finish();
  CHECK(host->gauge("active_requests") == 0);
  CHECK(host->histogram("request_header_bytes") == Samples{5 + 2, 5 + 3, 5 + 4});
  CHECK(host->counter("requests_total") == 3u);
}

TEST_CASE("a stream that never reached the plugin changes nothing") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.finish();  // no request headers: the context exists only for the access log
  CHECK(host->counter("requests_total") == 0u);
  CHECK(host->gauge("active_requests") == 0);
  CHECK(host->histogram("request_header_bytes") == Samples{});
}

TEST_CASE("streams still open at shutdown are finished: the gauge returns to zero") {
  auto host = started();
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendResponseHeaders({{":status", "503"}}, true);
  CHECK(host->gauge("active_requests") == 1);
  host->shutdown();  // finishes every open stream
  CHECK(host->gauge("active_requests") == 0);
  CHECK(host->counter("requests_total") == 1u);
}

TEST_CASE("spec finalization order (on_done before on_log) gives the same numbers") {
  HostOptions options;
  options.http_finalization = Finalization::Spec;
  auto host = started(options);
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(host->gauge("active_requests") == 1);
  s.finish();
  CHECK(host->gauge("active_requests") == 0);
}

TEST_CASE("several plugin instances update the same stats") {
  auto host = makeHost();
  const uint32_t a = host->startPlugin({"", "", "first"});
  const uint32_t b = host->startPlugin({"", "", "second"});
  REQUIRE(a != 0);
  REQUIRE(b != 0);
  CHECK(host->metrics().size() == 3);  // a redefinition is the same stat
  auto& sa = host->newHttpStream(a);
  auto& sb = host->newHttpStream(b);
  sa.sendRequestHeaders({{":path", "/"}});
  sb.sendRequestHeaders({{":path", "/"}});
  CHECK(host->counter("requests_total") == 2u);
  CHECK(host->gauge("active_requests") == 2);
  sa.finish();
  CHECK(host->gauge("active_requests") == 1);
  CHECK(host->histogram("request_header_bytes") == Samples{6, 6});
}
