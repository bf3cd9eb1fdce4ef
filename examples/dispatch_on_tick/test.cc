// dispatch_on_tick's documented behaviour, against the mock host (natively or in the engine).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::LogLevel;
using Logs = std::vector<std::string>;

namespace {
std::unique_ptr<Host> started(HostOptions options = {}) {
  auto host = makeHost(std::move(options));
  REQUIRE(host->startPlugin() != 0);
  return host;
}
}  // namespace

TEST_CASE("every second the root calls backend with exactly GET /tick, authority backend, 500 ms") {
  auto host = started();
  CHECK(host->tickPeriod() == 1000);
  host->advanceTime(999);
  CHECK(host->httpCalls().empty());

  host->advanceTime(1);
  REQUIRE(host->httpCalls().size() == 1);
  const auto& call = host->httpCalls()[0];
  CHECK(call.upstream == "backend");
  CHECK(call.headers == HeaderList{{":method", "GET"}, {":path", "/tick"}, {":authority", "backend"}});
  CHECK(call.body.empty());
  CHECK(call.trailers.empty());
  CHECK(call.timeout_ms == 500);
  CHECK(call.root_id == host->roots()[0]);
  CHECK(host->logs().empty());  // nothing until the response

  host->advanceTime(2000);
  CHECK(host->httpCalls().size() == 3);
  CHECK(host->pendingHttpCalls().size() == 3);
  CHECK(host->violations().empty());
}

TEST_CASE("logs the :status of the response, in the root context") {
  auto host = started();
  host->advanceTime(1000);
  REQUIRE(host->httpCalls().size() == 1);
  CHECK(host->respondHttpCall(host->httpCalls()[0].token, {{":status", "200"}, {"content-type", "text/plain"}},
                              "body is ignored", {{"grpc-status", "0"}}));
  CHECK(host->logs(LogLevel::Info) == Logs{"tick callout status: 200"});
  CHECK(host->logs(LogLevel::Warn).empty());
  REQUIRE(host->logs().size() == 1);
  CHECK(host->logs()[0].context_id == host->roots()[0]);
  CHECK(host->pendingHttpCalls().empty());
}

TEST_CASE("any status is logged as it is, error statuses included") {
  auto host = started();
  host->advanceTime(3000);
  REQUIRE(host->httpCalls().size() == 3);
  // Envoy answers "no healthy upstream" with a 503 response, not a failure.
  CHECK(host->respondHttpCall(host->httpCalls()[0].token, {{":status", "503"}}));
  CHECK(host->respondHttpCall(host->httpCalls()[1].token, {{":status", "404"}}));
  CHECK(host->respondHttpCall(host->httpCalls()[2].token, {{":status", "204"}}));
  CHECK(host->logs(LogLevel::Info) ==
        Logs{"tick callout status: 503", "tick callout status: 404", "tick callout status: 204"});
}

TEST_CASE("a reset or timed-out call logs a warning") {
  auto host = started();
  host->advanceTime(1000);
  REQUIRE(host->httpCalls().size() == 1);
  CHECK(host->failHttpCall(host->httpCalls()[0].token));
  CHECK(host->logs(LogLevel::Warn) == Logs{"tick callout failed"});
  CHECK(host->logs(LogLevel::Info).empty());
}

TEST_CASE("calls are independent: overlapping calls are each answered by their own response") {
  auto host = started();
  host->advanceTime(2000);
  REQUIRE(host->httpCalls().size() == 2);
  CHECK(host->httpCalls()[0].token != host->httpCalls()[1].token);
  CHECK(host->respondHttpCall(host->httpCalls()[1].token, {{":status", "201"}}));
  CHECK(host->failHttpCall(host->httpCalls()[0].token));
  CHECK(host->logs(LogLevel::Info) == Logs{"tick callout status: 201"});
  CHECK(host->logs(LogLevel::Warn) == Logs{"tick callout failed"});
  // A response is delivered once.
  CHECK_FALSE(host->respondHttpCall(host->httpCalls()[1].token, {{":status", "200"}}));
  CHECK(host->logs().size() == 2);
}

TEST_CASE("a response without a numeric :status logs status 0") {
  auto host = started();
  host->advanceTime(2000);
  REQUIRE(host->httpCalls().size() == 2);
  CHECK(host->respondHttpCall(host->httpCalls()[0].token, {{"x-no-status", "1"}}));
  CHECK(host->respondHttpCall(host->httpCalls()[1].token, {{":status", "abc"}}));
  CHECK(host->logs(LogLevel::Info) == Logs{"tick callout status: 0", "tick callout status: 0"});
}

TEST_CASE("no cluster backend: the call is not dispatched and each tick warns") {
  HostOptions options;
  options.clusters = std::set<std::string>{"other"};
  auto host = started(options);
  host->advanceTime(2000);
  CHECK(host->httpCalls().empty());
  CHECK(host->logs(LogLevel::Warn) ==
        Logs{"tick callout not dispatched: BadArgument", "tick callout not dispatched: BadArgument"});
  CHECK(host->violations().empty());
}

TEST_CASE("every plugin instance ticks and calls on its own") {
  auto host = makeHost();
  const uint32_t a = host->startPlugin({"", "", "first"});
  const uint32_t b = host->startPlugin({"", "", "second"});
  REQUIRE(a != 0);
  REQUIRE(b != 0);
  host->advanceTime(1000);
  REQUIRE(host->httpCalls().size() == 2);
  CHECK(host->httpCalls()[0].root_id == a);
  CHECK(host->httpCalls()[1].root_id == b);
  CHECK(host->respondHttpCall(host->httpCalls()[1].token, {{":status", "200"}}));
  REQUIRE(host->logs().size() == 1);
  CHECK(host->logs()[0].context_id == b);
}
